"""The catalog: completeness, provenance, and one clear error per kind of malformed row."""
from __future__ import annotations

import pytest

from waferscale.data import catalog as C
from waferscale.data.catalog import CatalogError, GRADES, load

NUMERIC = ("systems", "links", "defect_densities", "wafer_prices", "measurements", "events")


def test_at_least_sixty_sourced_rows(cat):
    assert cat.fact_count >= 60


@pytest.mark.parametrize("table", NUMERIC)
def test_every_row_has_value_unit_source_date_grade(cat, table):
    df = getattr(cat, table)
    assert len(df) > 0, f"{table} is empty"
    for col in ("value", "unit", "source", "date", "grade"):
        assert df[col].notna().all() and (df[col].astype(str) != "").all(), f"{table}.{col} has blanks"
    keys = set(cat.sources["key"])
    for cell in df["source"]:
        assert all(k in keys for k in cell.split(";"))
    assert set(df["grade"]) <= set(GRADES)


def test_required_entities_present(cat):
    need = {"wse1", "wse2", "wse3", "cs3", "a100_sxm", "h100_sxm", "h200_sxm", "b200", "dgx_h100", "dgx_b200",
            "gb200_nvl72", "wse3_fabric", "nv_hbi", "nvlink_c2c", "nvlink3", "nvlink4", "nvlink5", "pcie_gen5_x16",
            "ib_ndr", "ib_xdr", "pluggable_optics_1p6t", "cpo_nvidia"}
    assert need <= set(cat.entities["id"])


def test_measurements_are_tagged_and_both_roles_exist(cat):
    assert set(cat.measurements["role"]) == {"calibration", "validation"}


def test_values_are_canonical(cat):
    # H100 SXM HBM bandwidth is quoted in TB/s; stored in bytes/s.
    f = cat.fact("h100_sxm", "hbm_bytes_per_s")
    assert f.unit == "byte/s" and 3e12 < f.value < 4e12
    assert cat.fact("wse3", "die_area_mm2").unit == "mm^2"


def test_fact_lookup_errors_name_the_parameter(cat):
    with pytest.raises(ValueError, match="entity='nope'"):
        cat.value("nope", "hbm_bytes")
    with pytest.raises(ValueError, match="field='warp_drive'"):
        cat.value("h100_sxm", "warp_drive")


def test_bibliography_is_shared_with_the_book(root):
    cfg = (root / "_config.yml").read_text()
    assert "lib/waferscale/data/references.bib" in cfg


# -- malformed rows: each gets its own clear error --------------------------------------------
GOOD = "test_chip,{field},{value},,,{unit},{source},{date},{grade},test row"


def _append(data, table_file, line):
    p = data / table_file
    p.write_text(p.read_text().rstrip("\n") + "\n" + line + "\n")
    return p.read_text().count("\n")


def _good_source(data):
    from pybtex.database import parse_file

    return next(iter(parse_file(str(data / "references.bib")).entries))


CASES = {
    "missing source": (dict(source=""), "source", "is missing"),
    "unknown source key": (dict(source="nobody2099"), "source", "not a key in references.bib"),
    "unknown grade": (dict(grade="rumour"), "grade", "'rumour' is not one of"),
    "unit does not parse": (dict(unit="TB/z"), "unit", "does not parse"),
    "unit has wrong dimension": (dict(unit="W"), "unit", "dimension"),
    "Tb/s read as barn": (dict(unit="Tb/s"), "unit", "barn"),
    "value out of physical range": (dict(value="9e9", unit="TFLOP/s"), "value", "outside the physical range"),
    "value not a number": (dict(value="fast"), "value", "not a number"),
    "bad date": (dict(date="last year"), "date", "is not YYYY"),
    "unknown field": (dict(field="warp_factor"), "field", "not a known field"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_row_gets_a_clear_error(data_copy, case):
    override, column, message = CASES[case]
    row = dict(field="fp8_sparse_flop_per_s", value="3958", unit="TFLOP/s", source=_good_source(data_copy),
               date="2023", grade="spec_sheet")
    # rows belong to a test-only entity, so no real row is duplicated
    row.update(override)
    _append(data_copy, "entities.csv", "test_chip,systems,Test chip,gpu,Test,")
    line_no = _append(data_copy, "systems.csv", GOOD.format(**row))
    C._load_cached.cache_clear()
    with pytest.raises(CatalogError) as err:
        load(data_copy)
    e = err.value
    assert e.file == "systems.csv" and e.column == column and e.line == line_no, str(e)
    assert message in str(e)
    assert f"systems.csv, line {line_no}, field {column!r}" in str(e)


def test_duplicate_field_is_rejected(data_copy, cat):
    first = cat.systems.iloc[0]
    line = ",".join([first["system"], first["field"], "1", "", "", "count", first["source"], "2024", "derived", "dup"])
    _append(data_copy, "systems.csv", line)
    with pytest.raises(CatalogError, match="appears twice"):
        load(data_copy)


def test_low_high_must_bracket_value(data_copy):
    src = _good_source(data_copy)
    _append(data_copy, "entities.csv", "test_chip,systems,Test chip,gpu,Test,")
    _append(data_copy, "systems.csv", f"test_chip,fp8_sparse_flop_per_s,5000,1000,2000,TFLOP/s,{src},2023,spec_sheet,x")
    with pytest.raises(CatalogError, match="not within low..high"):
        load(data_copy)


def test_measurement_role_must_be_calibration_or_validation(data_copy):
    src = _good_source(data_copy)
    _append(data_copy, "measurements.csv",
            f"bad_role,output_tokens_per_s_per_user,cs3,llama3_1_8b,training,,100,,,token/s,{src},2024,vendor_claim,x")
    with pytest.raises(CatalogError, match="role"):
        load(data_copy)


def test_unknown_entity_is_rejected(data_copy):
    src = _good_source(data_copy)
    _append(data_copy, "systems.csv", f"h900,tdp_w,700,,,W,{src},2024,spec_sheet,x")
    with pytest.raises(CatalogError, match="not listed in entities.csv"):
        load(data_copy)


def test_spec_ratios_baseline_is_one_and_gaps_are_listed(cat):
    from waferscale.book import compare

    df = compare.spec_ratios(cat, ["wse3", "h100_sxm", "b200"], baseline="h100_sxm")
    assert (df.loc[df["system"] == "h100_sxm", "ratio"] == 1.0).all()
    assert (df["ratio_low"] <= df["ratio"]).all() and (df["ratio"] <= df["ratio_high"]).all()
    for system, metric in df.attrs["missing"]:
        assert not ((df["system"] == system) & (df["metric"] == metric)).any()
    import pytest

    with pytest.raises(ValueError, match="baseline='a100_sxm'"):
        compare.spec_ratios(cat, ["wse3"], baseline="a100_sxm")


# --- issues 15/16: corrected rows and the power/latency boundary fields ---------------------------------------

WALL_SYSTEMS = ("dgx_h100", "dgx_h200", "dgx_b200", "gb200_nvl72", "cs3")


def test_gb200_nvl72_nic_is_400_gbit_per_gpu_and_rack_egress_3_6_tb(cat):
    per_gpu = cat.value("gb200_nvl72", "scaleout_bytes_per_s_per_dir")
    assert per_gpu == pytest.approx(50e9)  # 400 Gbit/s = 50 GB/s per direction
    assert per_gpu * cat.value("gb200_nvl72", "chips") == pytest.approx(3.6e12)


def test_every_decoded_gpu_system_has_a_scaleout_row(cat):
    for s in ("h100_sxm", "h200_sxm", "b200", "dgx_h100", "dgx_h200", "dgx_b200", "gb200_nvl72"):
        assert cat.has(s, "scaleout_bytes_per_s_per_dir"), s


def test_network_step_latency_is_microseconds_not_a_switch_port(cat):
    step, switch = cat.value("ib_ndr", "latency_s"), cat.value("ib_ndr", "switch_latency_s")
    assert 1e-6 <= step <= 20e-6 and switch < 1e-6 and step > 10 * switch
    # the per-step NVLink alpha stays below a microsecond-class network step, and the per-collective cost above both
    for link in ("nvlink4", "nvlink5"):
        assert cat.value(link, "latency_s") < step < cat.value(link, "collective_latency_s")
    assert cat.fact("cs_ethernet_io", "latency_s").value == pytest.approx(step)


def test_per_step_alpha_ranges_exclude_the_per_collective_overhead(cat):
    # issue 15: the NVLink alpha 'high' of 10 us was a per-collective overhead; a per-step high must stay below it
    for link in ("nvlink4", "nvlink5"):
        assert cat.fact(link, "latency_s").high < cat.fact(link, "collective_latency_s").value


def _boundary_problems(cat) -> list[str]:
    """Invariants of the one-boundary power rows: 0 < idle < wall, the idle band below the wall power."""
    out = []
    for s in WALL_SYSTEMS:
        wall, idle = cat.fact(s, "wall_power_w"), cat.fact(s, "idle_power_w")
        if not 0 < idle.value < wall.value:
            out.append(f"{s}: idle {idle.value} not in (0, wall {wall.value})")
        if idle.high is not None and idle.high > wall.value:
            out.append(f"{s}: idle high {idle.high} above wall {wall.value}")
    return out


def test_wall_power_has_one_boundary_and_idle_below_it(cat):
    assert _boundary_problems(cat) == []
    assert cat.value("dgx_h100", "wall_power_w") == pytest.approx(10.2e3)
    assert cat.value("dgx_b200", "wall_power_w") == pytest.approx(14.3e3)
    assert 120e3 <= cat.value("gb200_nvl72", "wall_power_w") <= 132e3
    # a lone GPU carries its node's share
    assert cat.value("h100_sxm", "wall_power_w") == pytest.approx(cat.value("dgx_h100", "wall_power_w") / 8)


def test_load_dependent_draw_from_the_catalog(cat):
    wall, idle = cat.value("dgx_h100", "wall_power_w"), cat.value("dgx_h100", "idle_power_w")
    draw = lambda u: idle + (wall - idle) * u
    assert draw(0.0) == pytest.approx(idle) and draw(1.0) == pytest.approx(wall)
    assert draw(0.5) == pytest.approx((idle + wall) / 2)


def test_weak_rows_now_carry_ranges_and_better_sources(cat):
    cs3 = cat.fact("cs3", "system_power_w")
    assert "hndistilled2025yield" not in cs3.source and cs3.low <= 23e3 <= cs3.high
    assert "anandtech2021wse2" not in cat.fact("cs2", "price_usd").source
    assert "anandtech2021wse2" not in cat.fact("cs3", "price_usd").source
    b200 = cat.fact("b200", "die_area_mm2")
    assert b200.low < b200.value < b200.high <= 2 * cat.value("reticle_field", "die_area_mm2")
    assert b200.value > cat.value("h100_sxm", "die_area_mm2")
    clock = cat.fact("wse3", "clock_hz")
    assert clock.grade == "uncertain" and clock.low < clock.value
    assert cat.value("reticle_field", "die_area_mm2") == pytest.approx(26 * 33)


def test_idle_above_wall_is_caught_by_the_sanity_check(data_copy):
    # negative control: a corrupted idle row that exceeds the wall power must fail the boundary test's invariant
    path = data_copy / "systems.csv"
    text = path.read_text(encoding="utf-8").replace("dgx_h100,idle_power_w,3,2,4.1,kW", "dgx_h100,idle_power_w,30,20,41,kW")
    path.write_text(text, encoding="utf-8")
    C._load_cached.cache_clear()
    problems = _boundary_problems(load(data_copy))
    assert problems and all(p.startswith("dgx_h100") for p in problems)


@pytest.mark.parametrize("field,value,unit", [("wall_power_w", "1e9", "kW"), ("collective_latency_s", "5", "s"),
                                              ("switch_latency_s", "1", "s")])
def test_new_fields_reject_values_outside_their_range(data_copy, field, value, unit):
    src = _good_source(data_copy)
    table = "links.csv" if field.endswith("latency_s") else "systems.csv"
    entity = "ib_ndr" if table == "links.csv" else "dgx_h100"
    # the test-only row replaces nothing: it uses an entity's unused field
    entity = "ib_xdr" if field == "switch_latency_s" else entity
    entity = "nvlink3" if field == "collective_latency_s" else entity
    entity = "dgx_a100" if field == "wall_power_w" else entity
    _append(data_copy, table, f"{entity},{field},{value},,,{unit},{src},2024,derived,x")
    with pytest.raises(CatalogError, match="outside the physical range"):
        load(data_copy)
