# ruff: noqa: E501  (catalogue tables: one machine or firm per line reads best)
"""The demo world's workshops and small factories: fictional firms in real cities.

Every name ends in "(synthetic)" and every field of these facilities is generated. The cities
are real (placed with the gazetteer); the kinds decide the machines (see :data:`KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.domain.facility import BatchSize


@dataclass(frozen=True)
class WorkshopKind:
    """A kind of workshop: its machines (catalogue keys with a quantity range) and scale."""

    key: str
    label: str
    machines: tuple[tuple[str, int, int], ...]
    batch_size: BatchSize
    headcount: tuple[int, int]
    hours_per_week: tuple[float, float]
    minimum_lot: int = 1


KINDS: dict[str, WorkshopKind] = {
    k.key: k
    for k in (
        WorkshopKind(
            "injection-moulding", "Injection moulding",
            (("arburg-470a", 1, 3), ("haitian-ma900", 1, 4), ("assembly-bench", 1, 3)),
            BatchSize.OVER_5000, (15, 80), (80, 120), 1000,
        ),
        WorkshopKind(
            "cnc-machining", "CNC machining",
            (("haas-vf2", 1, 4), ("haas-st10", 1, 2), ("inspection-station", 1, 1)),
            BatchSize.UP_TO_500, (8, 40), (45, 100), 5,
        ),
        WorkshopKind(
            "precision-machining", "Precision machining (medical)",
            (("dmg-cmx-600v", 1, 3), ("haas-umc500", 1, 2), ("haas-st10", 1, 2),
             ("inspection-station", 1, 2)),
            BatchSize.UP_TO_500, (12, 60), (60, 120), 10,
        ),
        WorkshopKind(
            "electronics", "PCB fabrication and assembly",
            (("pcb-line", 1, 1), ("yamaha-ysm20r", 1, 3), ("heller-1809", 1, 2),
             ("wave-solder", 1, 1), ("assembly-bench", 2, 6)),
            BatchSize.UP_TO_5000, (20, 150), (80, 140), 10,
        ),
        WorkshopKind(
            "pcb-assembly", "PCB assembly",
            (("yamaha-ysm20r", 1, 2), ("heller-1809", 1, 1), ("weller-we1010", 2, 8),
             ("assembly-bench", 2, 5)),
            BatchSize.UP_TO_500, (6, 40), (45, 80), 5,
        ),
        WorkshopKind(
            "sewing", "Sewing workshop",
            (("juki-ddl-8700", 8, 40), ("brother-s7000", 2, 10), ("assembly-bench", 1, 4)),
            BatchSize.UP_TO_5000, (12, 120), (45, 80), 50,
        ),
        WorkshopKind(
            "assembly", "Contract assembly",
            (("assembly-bench", 4, 20), ("weller-we1010", 2, 6), ("inspection-station", 1, 2)),
            BatchSize.UP_TO_5000, (10, 90), (45, 100), 20,
        ),
        WorkshopKind(
            "laser-cutting", "Laser cutting service",
            (("trotec-sp1500", 1, 3), ("trumpf-trulaser-3030", 0, 1), ("assembly-bench", 1, 2)),
            BatchSize.UP_TO_500, (4, 25), (40, 80), 1,
        ),
        WorkshopKind(
            "sheet-metal", "Sheet metal and welding",
            (("bodor-a3", 1, 2), ("trumpf-trubend-5130", 1, 2), ("fronius-transsteel", 2, 6),
             ("assembly-bench", 1, 3)),
            BatchSize.UP_TO_500, (10, 60), (45, 100), 10,
        ),
        WorkshopKind(
            "print-farm", "3D print farm",
            (("prusa-mk4-farm", 20, 80), ("bambu-x1c-farm", 10, 40), ("sls-fuse1", 0, 2),
             ("assembly-bench", 1, 3)),
            BatchSize.UP_TO_5000, (4, 25), (100, 168), 1,
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class WorkshopSpec:
    """One fictional firm: where it is, what kind, which certificates it holds."""

    key: str
    name: str
    city: str
    country: str
    kinds: tuple[str, ...]
    certifications: tuple[str, ...] = ()


ISO_9001 = "ISO 9001"
ISO_13485 = "ISO 13485"
_Q = (ISO_9001,)
_MED = (ISO_9001, ISO_13485)

WORKSHOPS: tuple[WorkshopSpec, ...] = (
    # Africa
    WorkshopSpec("nairobi-moulders", "Nairobi Moulders (synthetic)", "Nairobi", "KE", ("injection-moulding",), _Q),
    WorkshopSpec("kisumu-precision", "Kisumu Precision Works (synthetic)", "Kisumu", "KE", ("cnc-machining",)),
    WorkshopSpec("mombasa-stitch", "Mombasa Stitch Collective (synthetic)", "Mombasa", "KE", ("sewing",)),
    WorkshopSpec("kampala-circuits", "Kampala Circuit Assembly (synthetic)", "Kampala", "UG", ("pcb-assembly", "assembly")),
    WorkshopSpec("kigali-assembly", "Kigali Assembly Hub (synthetic)", "Kigali", "RW", ("assembly", "print-farm"), _Q),
    WorkshopSpec("dar-sheet-metal", "Dar es Salaam Sheet & Steel (synthetic)", "Dar es Salaam", "TZ", ("sheet-metal",)),
    WorkshopSpec("addis-textiles", "Addis Textile Works (synthetic)", "Addis Ababa", "ET", ("sewing",), _Q),
    WorkshopSpec("addis-medical", "Entoto Medical Devices (synthetic)", "Addis Ababa", "ET", ("precision-machining", "assembly"), _MED),
    WorkshopSpec("lagos-plastics", "Lagos Plastics Industries (synthetic)", "Lagos", "NG", ("injection-moulding", "assembly"), _Q),
    WorkshopSpec("lagos-electronics", "Yaba Electronics Manufacturing (synthetic)", "Lagos", "NG", ("electronics",), _Q),
    WorkshopSpec("accra-lasercut", "Accra Laser & Fabrication (synthetic)", "Accra", "GH", ("laser-cutting", "sheet-metal")),
    WorkshopSpec("kumasi-machining", "Kumasi Engineering Works (synthetic)", "Kumasi", "GH", ("cnc-machining",)),
    WorkshopSpec("joburg-electronics", "Gauteng Electronics Assembly (synthetic)", "Johannesburg", "ZA", ("electronics", "assembly"), _MED),
    WorkshopSpec("capetown-printfarm", "Table Bay Print Farm (synthetic)", "Cape Town", "ZA", ("print-farm",)),
    WorkshopSpec("cairo-moulding", "Nile Moulding Company (synthetic)", "Cairo", "EG", ("injection-moulding",), _Q),
    WorkshopSpec("casablanca-sewing", "Atlas Confection (synthetic)", "Casablanca", "MA", ("sewing", "assembly"), _Q),
    WorkshopSpec("dakar-metal", "Dakar Métallerie (synthetic)", "Dakar", "SN", ("sheet-metal",)),
    WorkshopSpec("lusaka-assembly", "Copperbelt Assembly (synthetic)", "Lusaka", "ZM", ("assembly", "laser-cutting")),
    # Asia
    WorkshopSpec("shenzhen-pcb", "Bao'an PCB & SMT (synthetic)", "Shenzhen", "CN", ("electronics",), _MED),
    WorkshopSpec("shenzhen-moulding", "Longgang Precision Moulding (synthetic)", "Shenzhen", "CN", ("injection-moulding", "assembly"), _Q),
    WorkshopSpec("dongguan-machining", "Dongguan Fine Machining (synthetic)", "Dongguan", "CN", ("cnc-machining", "sheet-metal"), _Q),
    WorkshopSpec("bangalore-electronics", "Peenya Electronics (synthetic)", "Bengaluru", "IN", ("electronics", "assembly"), _Q),
    WorkshopSpec("pune-machining", "Chakan Precision Components (synthetic)", "Pune", "IN", ("precision-machining",), _MED),
    WorkshopSpec("chennai-moulding", "Ambattur Polymers (synthetic)", "Chennai", "IN", ("injection-moulding",), _Q),
    WorkshopSpec("hcmc-sewing", "Saigon Garment Works (synthetic)", "Ho Chi Minh City", "VN", ("sewing",), _Q),
    WorkshopSpec("hanoi-electronics", "Red River Electronics (synthetic)", "Hanoi", "VN", ("pcb-assembly", "assembly")),
    WorkshopSpec("jakarta-moulding", "Cikarang Moulding (synthetic)", "Jakarta", "ID", ("injection-moulding", "assembly")),
    WorkshopSpec("manila-assembly", "Laguna Contract Assembly (synthetic)", "Manila", "PH", ("assembly", "pcb-assembly"), _Q),
    WorkshopSpec("dhaka-sewing", "Gazipur Apparel (synthetic)", "Dhaka", "BD", ("sewing",), _Q),
    WorkshopSpec("bangkok-sheet", "Chao Phraya Metalworks (synthetic)", "Bangkok", "TH", ("sheet-metal", "laser-cutting")),
    # Europe
    WorkshopSpec("porto-sewing", "Porto Textile Lab (synthetic)", "Porto", "PT", ("sewing",)),
    WorkshopSpec("wroclaw-electronics", "Odra Electronics (synthetic)", "Wroclaw", "PL", ("electronics",), _MED),
    WorkshopSpec("eindhoven-machining", "Brainport Precision (synthetic)", "Eindhoven", "NL", ("precision-machining",), _MED),
    WorkshopSpec("milan-printfarm", "Navigli Additive (synthetic)", "Milan", "IT", ("print-farm", "laser-cutting")),
    WorkshopSpec("stuttgart-sheet", "Neckar Blechtechnik (synthetic)", "Stuttgart", "DE", ("sheet-metal",), _Q),
    # Americas
    WorkshopSpec("saopaulo-moulding", "Paulista Injeção (synthetic)", "São Paulo", "BR", ("injection-moulding", "assembly"), _Q),
    WorkshopSpec("monterrey-machining", "Norte Mecanizados (synthetic)", "Monterrey", "MX", ("cnc-machining", "sheet-metal"), _Q),
    WorkshopSpec("guadalajara-electronics", "Jalisco SMT (synthetic)", "Guadalajara", "MX", ("electronics",), _MED),
    WorkshopSpec("bogota-sewing", "Sabana Confecciones (synthetic)", "Bogota", "CO", ("sewing", "assembly")),
    WorkshopSpec("lima-printfarm", "Rímac Impresión 3D (synthetic)", "Lima", "PE", ("print-farm",)),
    WorkshopSpec("portauprince-assembly", "Caribe Assembly (synthetic)", "Port-au-Prince", "HT", ("assembly", "laser-cutting")),
    WorkshopSpec("detroit-machining", "Rouge River Machining (synthetic)", "Detroit", "US", ("cnc-machining",), _Q),
    WorkshopSpec("toronto-medical", "Don Valley Medical Manufacturing (synthetic)", "Toronto", "CA", ("precision-machining", "assembly"), _MED),
)  # fmt: skip
"""The fictional firms of the demo world (at least 36; the tests check the count)."""
