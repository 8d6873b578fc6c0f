# ruff: noqa: E501  (catalogue tables: one machine or firm per line reads best)
"""A catalogue of real-ish machines that the demo world equips facilities with.

Makes, models and envelopes are typical published figures (build volume, bed or travel in mm),
rounded; they describe the class of machine, not any one unit. Every process id is a node of
:mod:`fabnet.vocab.processes` and every material id a node of :mod:`fabnet.vocab.materials`
(the tests check both).
"""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.facility import Equipment


@dataclass(frozen=True)
class MachineModel:
    """One make and model, with what it does and on what."""

    key: str
    equipment_type: str
    processes: tuple[str, ...]
    make: str
    model: str
    envelope_mm: tuple[float, float, float]
    materials: tuple[str, ...]
    tolerance_class: str | None = None
    throughput_units_per_hour: float | None = None

    def equipment(self, equipment_id: str, *, quantity: int = 1) -> Equipment:
        x, y, z = self.envelope_mm
        return Equipment(
            id=equipment_id,
            equipment_type=self.equipment_type,
            processes=self.processes,
            make=self.make,
            model=self.model,
            quantity=quantity,
            envelope=Dimensions(x_mm=x, y_mm=y, z_mm=z),
            board_limits=BOARD_LIMITS.get(self.key),
            materials=self.materials,
            tolerance_class=self.tolerance_class,
            throughput_units_per_hour=self.throughput_units_per_hour,
        )


# Electronics limits of the PCB machines (largest board, layers, finest pitch), typical published
# figures like the envelopes; a figure the class of machine does not state is left unknown.
BOARD_LIMITS: dict[str, BoardLimits] = {
    "roland-srm-20": BoardLimits(x_mm=203, y_mm=152, layers=2),
    "roland-mdx-40a": BoardLimits(x_mm=305, y_mm=305, layers=2),
    "lpkf-protomat-e44": BoardLimits(x_mm=229, y_mm=305, layers=2),
    "pcb-line": BoardLimits(x_mm=500, y_mm=600, layers=6, pitch_mm=0.4),
    "yamaha-ysm20r": BoardLimits(x_mm=510, y_mm=460, pitch_mm=0.3),
    "heller-1809": BoardLimits(x_mm=460, y_mm=460),
    "controleo3": BoardLimits(x_mm=300, y_mm=250),
}


def _m(
    key: str,
    equipment_type: str,
    processes: tuple[str, ...],
    make: str,
    model: str,
    envelope: tuple[float, float, float],
    materials: tuple[str, ...],
    tolerance: str | None = None,
    throughput: float | None = None,
) -> MachineModel:
    return MachineModel(
        key, equipment_type, processes, make, model, envelope, materials, tolerance, throughput
    )


_FDM_BASIC = ("pla", "petg")
_FDM_FULL = ("pla", "petg", "abs", "tpu")
_LASER_SHEET = ("plywood", "mdf", "pmma", "cardboard")
_WOOD = ("plywood", "mdf", "hardwood", "softwood", "hdpe")
_METALS = ("aluminium-6061", "aluminium-6082", "aluminium-7075", "stainless-steel-304", "mild-steel", "brass", "pom")  # fmt: skip

FDM_PRINTERS: tuple[MachineModel, ...] = (
    _m("prusa-mk3s", "3D printer", ("fdm",), "Prusa Research", "Original Prusa i3 MK3S+", (250, 210, 210), _FDM_FULL),
    _m("prusa-mk4", "3D printer", ("fdm",), "Prusa Research", "Original Prusa MK4", (250, 210, 220), _FDM_FULL),
    _m("ultimaker-s5", "3D printer", ("fdm",), "UltiMaker", "S5", (330, 240, 300), (*_FDM_FULL, "nylon", "pc")),
    _m("ender-3", "3D printer", ("fdm",), "Creality", "Ender-3 V2", (220, 220, 250), _FDM_BASIC),
    _m("bambu-x1c", "3D printer", ("fdm",), "Bambu Lab", "X1 Carbon", (256, 256, 256), (*_FDM_FULL, "nylon")),
    _m("raise3d-pro2", "3D printer", ("fdm",), "Raise3D", "Pro2", (305, 305, 300), (*_FDM_FULL, "nylon")),
)  # fmt: skip
"""Desktop FDM printers, most common first."""

RESIN_PRINTERS: tuple[MachineModel, ...] = (
    _m("form-3", "3D printer (resin)", ("sla",), "Formlabs", "Form 3+", (145, 145, 185), ("standard-resin", "tough-resin", "flexible-resin")),
)  # fmt: skip

LASER_CUTTERS: tuple[MachineModel, ...] = (
    _m("epilog-zing-24", "Laser cutter", ("laser-cutting", "laser-engraving"), "Epilog", "Zing 24 (40 W)", (610, 305, 178), _LASER_SHEET),
    _m("epilog-fusion-pro-32", "Laser cutter", ("laser-cutting", "laser-engraving"), "Epilog", "Fusion Pro 32 (80 W)", (812, 508, 311), (*_LASER_SHEET, "petg")),
    _m("trotec-speedy-400", "Laser cutter", ("laser-cutting", "laser-engraving"), "Trotec", "Speedy 400 (120 W)", (1000, 610, 305), (*_LASER_SHEET, "petg", "felt")),
    _m("generic-co2-6040", "Laser cutter", ("laser-cutting", "laser-engraving"), "Generic", "CO2 laser 60 W, 600x400 bed", (600, 400, 120), _LASER_SHEET),
    _m("generic-co2-1290", "Laser cutter", ("laser-cutting", "laser-engraving"), "Generic", "CO2 laser 100 W, 1200x900 bed", (1200, 900, 200), (*_LASER_SHEET, "petg")),
)  # fmt: skip

CNC_ROUTERS: tuple[MachineModel, ...] = (
    _m("shopbot-prs-alpha", "CNC router", ("cnc-routing",), "ShopBot", "PRSalpha 96-48", (2440, 1220, 150), _WOOD, "ISO2768-c"),
    _m("shopbot-desktop", "CNC router", ("cnc-routing",), "ShopBot", "Desktop MAX", (914, 610, 140), _WOOD, "ISO2768-c"),
    _m("generic-router-1325", "CNC router", ("cnc-routing",), "Generic", "1325 CNC router", (2500, 1300, 200), _WOOD, "ISO2768-c"),
)  # fmt: skip

PRECISION_MILLS: tuple[MachineModel, ...] = (
    _m("roland-srm-20", "Desktop milling machine", ("precision-milling", "pcb-fabrication"), "Roland DG", "monoFab SRM-20", (203, 152, 60), ("fr1", "pmma", "pom", "hdpe"), "ISO2768-f"),
    _m("roland-mdx-40a", "Desktop milling machine", ("precision-milling", "pcb-fabrication"), "Roland DG", "MDX-40A", (305, 305, 105), ("fr1", "pmma", "pom", "hdpe"), "ISO2768-f"),
)  # fmt: skip

VINYL_CUTTERS: tuple[MachineModel, ...] = (
    _m("roland-gs-24", "Vinyl cutter", ("vinyl-cutting",), "Roland DG", "CAMM-1 GS-24", (584, 25000, 1), ("pvc", "paper")),
    _m("silhouette-cameo-4", "Vinyl cutter", ("vinyl-cutting",), "Silhouette", "Cameo 4", (305, 3000, 1), ("pvc", "paper", "felt")),
)  # fmt: skip

ELECTRONICS_BENCH: tuple[MachineModel, ...] = (
    _m("weller-we1010", "Soldering station", ("soldering", "through-hole-assembly"), "Weller", "WE1010", (300, 300, 100), ("fr4", "fr1")),
)  # fmt: skip

SMALL_REFLOW: tuple[MachineModel, ...] = (
    _m("controleo3", "Reflow oven", ("pcb-assembly",), "Whizoo", "Controleo3 reflow oven", (300, 250, 60), ("fr4",)),
)  # fmt: skip

SEWING: tuple[MachineModel, ...] = (
    _m("juki-ddl-8700", "Industrial sewing machine", ("sewing",), "Juki", "DDL-8700", (1000, 1000, 10), ("cotton", "polyester", "nylon-fabric"), None, 12.0),
    _m("brother-s7000", "Sewing machine", ("sewing",), "Brother", "S-7300A", (1000, 1000, 10), ("cotton", "polyester", "nylon-fabric"), None, 10.0),
)  # fmt: skip

# --- industrial equipment for workshops and small factories -------------------------------

INJECTION_MOULDING: tuple[MachineModel, ...] = (
    _m("arburg-470a", "Injection moulding machine", ("injection-moulding",), "Arburg", "Allrounder 470 A (1000 kN)", (300, 300, 200), ("abs", "pp", "pc", "hdpe", "petg", "nylon"), "ISO2768-m", 120.0),
    _m("engel-emac-180", "Injection moulding machine", ("injection-moulding",), "Engel", "e-mac 180 (1800 kN)", (400, 400, 250), ("abs", "pp", "pc", "hdpe", "nylon"), "ISO2768-m", 150.0),
    _m("haitian-ma900", "Injection moulding machine", ("injection-moulding",), "Haitian", "Mars MA900 (900 kN)", (280, 280, 180), ("abs", "pp", "hdpe", "petg"), "ISO2768-m", 100.0),
)  # fmt: skip

CNC_MACHINING: tuple[MachineModel, ...] = (
    _m("haas-vf2", "CNC machining centre", ("cnc-milling",), "Haas", "VF-2", (762, 406, 508), _METALS, "IT7"),
    _m("dmg-cmx-600v", "CNC machining centre", ("cnc-milling",), "DMG Mori", "CMX 600 V", (600, 560, 510), _METALS, "IT7"),
    _m("haas-st10", "CNC lathe", ("cnc-turning",), "Haas", "ST-10", (356, 356, 406), _METALS, "IT7"),
    _m("haas-umc500", "5-axis machining centre", ("five-axis-milling",), "Haas", "UMC-500", (610, 406, 394), _METALS, "IT6"),
)  # fmt: skip

PCB_LINE: tuple[MachineModel, ...] = (
    _m("pcb-line", "PCB fabrication line", ("pcb-fabrication",), "Generic", "2-6 layer PCB line (photo-imaging, etching, plating)", (500, 600, 3.2), ("fr4", "fr1")),
    _m("yamaha-ysm20r", "Pick-and-place machine", ("pcb-assembly", "smt-assembly"), "Yamaha", "YSM20R", (510, 460, 15), ("fr4",), None, 600.0),
    _m("heller-1809", "Reflow oven", ("pcb-assembly", "smt-assembly"), "Heller", "1809 MK5", (460, 460, 30), ("fr4",)),
    _m("wave-solder", "Selective soldering machine", ("soldering", "through-hole-assembly"), "Ersa", "VERSAFLOW 3/45", (508, 508, 100), ("fr4",)),
)  # fmt: skip

METAL_CUTTING: tuple[MachineModel, ...] = (
    _m("trumpf-trulaser-3030", "Fibre laser cutter", ("laser-cutting",), "Trumpf", "TruLaser 3030 fiber", (3000, 1500, 25), ("mild-steel", "stainless-steel-304", "aluminium-5052", "aluminium-6061")),
    _m("bodor-a3", "Fibre laser cutter", ("laser-cutting",), "Bodor", "A3 (3 kW)", (3000, 1500, 20), ("mild-steel", "stainless-steel-304", "aluminium-5052")),
    _m("trotec-sp1500", "Laser cutter", ("laser-cutting", "laser-engraving"), "Trotec", "SP1500 (200 W CO2)", (1245, 710, 140), (*_LASER_SHEET, "petg")),
)  # fmt: skip

SHEET_METAL: tuple[MachineModel, ...] = (
    _m("trumpf-trubend-5130", "Press brake", ("sheet-metal-bending",), "Trumpf", "TruBend 5130", (3000, 1000, 400), ("mild-steel", "stainless-steel-304", "aluminium-5052"), "ISO2768-m"),
    _m("amada-hg-1303", "Press brake", ("sheet-metal-bending",), "Amada", "HG 1303", (3000, 1000, 420), ("mild-steel", "stainless-steel-304", "aluminium-5052"), "ISO2768-m"),
    _m("fronius-transsteel", "Welding station", ("mig-mag-welding", "tig-welding"), "Fronius", "TransSteel 3500", (2000, 1000, 1000), ("mild-steel", "stainless-steel-304", "aluminium-5052")),
)  # fmt: skip

ASSEMBLY_LINE: tuple[MachineModel, ...] = (
    _m("assembly-bench", "Assembly workbench", ("assembly", "final-assembly", "kitting"), "Generic", "ESD assembly bench", (1500, 750, 1000), (), None, 20.0),
    _m("inspection-station", "Inspection station", ("inspection",), "Mitutoyo", "Height gauge and callipers", (600, 400, 300), ()),
)  # fmt: skip

PRINT_FARM: tuple[MachineModel, ...] = (
    _m("prusa-mk4-farm", "3D printer", ("fdm",), "Prusa Research", "Original Prusa MK4", (250, 210, 220), _FDM_FULL),
    _m("bambu-x1c-farm", "3D printer", ("fdm",), "Bambu Lab", "X1 Carbon", (256, 256, 256), (*_FDM_FULL, "nylon")),
    _m("sls-fuse1", "3D printer (SLS)", ("sls",), "Formlabs", "Fuse 1+ 30W", (165, 165, 300), ("pa12", "tpu")),
)  # fmt: skip

ALL_MODELS: tuple[MachineModel, ...] = (
    FDM_PRINTERS
    + RESIN_PRINTERS
    + LASER_CUTTERS
    + CNC_ROUTERS
    + PRECISION_MILLS
    + VINYL_CUTTERS
    + ELECTRONICS_BENCH
    + SMALL_REFLOW
    + SEWING
    + INJECTION_MOULDING
    + CNC_MACHINING
    + PCB_LINE
    + METAL_CUTTING
    + SHEET_METAL
    + ASSEMBLY_LINE
    + PRINT_FARM
)
MODELS_BY_KEY: dict[str, MachineModel] = {m.key: m for m in ALL_MODELS}
