"""Catalog-driven selections: which chips and systems a comparison includes comes from the catalog."""
from __future__ import annotations

import pytest

from waferscale.book import compare
from waferscale.models import physics, scaling as sc, tokencost
from waferscale.models import serving as pf


def test_system_links_come_from_topology(cat):
    links = pf.system_links(cat)
    assert links["cs3"] == ("wse3", "wse3_fabric", "cs_ethernet_io")
    assert links["gb200_nvl72"] == ("b200", "nvlink5", "ib_xdr")
    assert pf.hardware_ids(cat) == list(cat.topology["system"])
    with pytest.raises(ValueError, match="system='a100_sxm' is not modelled.*topology"):
        pf.hardware(cat, "a100_sxm")


def test_gpu_systems(cat):
    assert pf.gpu_systems(cat, multi_chip=True) == ["dgx_h100", "dgx_b200", "gb200_nvl72", "dgx_h200"]
    assert "h100_sxm" in pf.gpu_systems(cat, multi_chip=False) and "cs3" not in pf.gpu_systems(cat)
    with pytest.raises(ValueError, match="multi_chip='yes' is out of range"):
        pf.gpu_systems(cat, multi_chip="yes")


def test_other_selections(cat):
    assert compare.comparable_chips(cat)[:1] == ["wse3"] and "h100_sxm" in compare.comparable_chips(cat)
    with pytest.raises(ValueError, match="'router' is not one of"):
        compare.comparable_chips(cat, kinds=("router",))
    assert tokencost.priced_systems(cat) == ["cs3", "dgx_b200", "gb200_nvl72"]
    heat = physics.chip_heat_sources(cat).set_index("device")
    assert heat.loc["NVIDIA H100 SXM5", "w_per_cm2"] == pytest.approx(
        float(physics.heat_sources(cat).set_index("device").loc["H100 SXM", "w_per_cm2"]))


def test_build_for_matches_the_hand_written_builds(cat):
    b = sc.build_for(cat, "dgx_h100")
    h = sc.h100_ib()
    assert (b.chip, b.host, b.scale_up, b.switch, b.alpha_tier, b.scaleout_tier) == \
        (h.chip, h.host, h.scale_up, h.switch, h.alpha_tier, h.scaleout_tier)
    assert sc.scale(sc.cluster(cat, b), 1024)["bytes_per_flop"] == pytest.approx(sc.scale(sc.cluster(cat, h), 1024)["bytes_per_flop"])
    with pytest.raises(ValueError, match="wafer system"):
        sc.build_for(cat, "cs3")


def test_topology_rows_are_validated(data_copy):
    from waferscale.data.catalog import CatalogError, load

    path = data_copy / "topology.csv"
    path.write_text(path.read_text() + "dgx_a100,nvlink9,ib_ndr,bad tier\n")
    with pytest.raises(CatalogError, match=r"topology.csv, line \d+, field 'scale_up': 'nvlink9' is not a link id"):
        load(data_copy)


def test_a_catalog_without_topology_models_nothing(data_copy):
    from waferscale.data.catalog import load

    (data_copy / "topology.csv").unlink()
    cat = load(data_copy)
    assert pf.hardware_ids(cat) == [] and pf.gpu_systems(cat) == []
