// Solar lamp kit: a two-part enclosure, a laser-cut lens, a lens ring and the LED/charger board.
// Part of the fabnet demo designs. License: CERN-OHL-S-2.0, (c) fabnet contributors.
//
// The solar panel sits in the lid's recess; the light shines down through the lens in the base.
// The enclosure prints in PETG (small runs) or is injection moulded in ABS (large runs): keep
// the walls even and the draft on the outer faces when changing it.
//
//   openscad -o housing-base.stl -D 'part="housing-base"' solar-lamp.scad
//   (parts: housing-base, housing-top, lens, lens-ring, pcb)
// All sizes are millimetres.

/* [Part] */
// Which part to render
part = "housing-base";    // [housing-base, housing-top, lens, lens-ring, pcb]

/* [Label] */
// Text engraved on the base's front wall, e.g. "Taa ya jua" (Kiswahili) or "Lampe solaire"
label_text = "";          // empty: no label
// Letter height of the label
label_size = 6;           // [4:0.5:9]

/* [Enclosure] */
box_width = 84;           // outer width and depth of the enclosure
box_corner = 8;           // corner radius
base_height = 30;         // height of the base
top_height = 10;          // height of the lid
wall = 2.0;               // wall thickness (even, for moulding)
boss_diameter = 7;        // screw bosses, for M3 self-tapping screws
boss_hole = 2.5;          // pilot hole in the bosses
boss_inset = 8;           // boss centre distance from the outer edge

/* [Solar panel] */
panel_width = 70;         // square 5 V / 1 W panel
panel_depth = 1.6;        // recess depth for the panel
hanger_width = 20;        // hanging loop on the lid
hanger_hole = 8;          // hole in the loop for a cord

/* [Lens] */
lens_diameter = 46;       // PMMA disc
lens_thickness = 3;       // sheet thickness
window_diameter = 40;     // opening in the base the lens covers
ring_width = 6;           // width of the ring that clamps the lens
ring_thickness = 2.5;     // ring thickness
ring_screw_spacing = 52;  // distance between the two ring screws

/* [Board] */
pcb_width = 60;           // square two-layer FR-4 board
pcb_thickness = 1.6;      // board thickness
pcb_hole = 3.2;           // mounting holes for M3
pcb_hole_inset = 4;       // mounting hole centre distance from the board edge

$fn = 64;

module rounded_square(w, r) {
    offset(r = r) square(w - 2 * r, center = true);
}

module bosses(h) {
    for (sx = [-1, 1], sy = [-1, 1])
        translate([sx * (box_width / 2 - boss_inset), sy * (box_width / 2 - boss_inset), 0])
            children();
}

module housing_base() {
    difference() {
        linear_extrude(height = base_height) rounded_square(box_width, box_corner);
        translate([0, 0, wall]) linear_extrude(height = base_height)
            rounded_square(box_width - 2 * wall, box_corner - wall);
        translate([0, 0, -1]) cylinder(d = window_diameter, h = wall + 2);
        // two screw holes for the lens ring
        for (s = [-1, 1]) translate([s * ring_screw_spacing / 2, 0, -1])
            cylinder(d = boss_hole, h = wall + 2, $fn = 24);
        // USB charging port on one side
        translate([box_width / 2 - wall - 1, -5, wall + 4]) cube([wall + 2, 10, 4]);
        // the label, engraved 0.6 mm into the front wall (-y), upright
        if (label_text != "")
            translate([0, -box_width / 2 + 0.6, base_height / 2]) rotate([90, 0, 0])
                linear_extrude(height = 1)
                    text(label_text, size = label_size, font = "DejaVu Sans:style=Bold",
                         halign = "center", valign = "center");
    }
    bosses() difference() {
        cylinder(d = boss_diameter, h = base_height);
        cylinder(d = boss_hole, h = base_height + 1, $fn = 24);
    }
    // stand-offs for the board
    for (sx = [-1, 1], sy = [-1, 1])
        translate([sx * (pcb_width / 2 - pcb_hole_inset), sy * (pcb_width / 2 - pcb_hole_inset), 0])
            difference() {
                cylinder(d = 6, h = wall + 8);
                cylinder(d = boss_hole, h = wall + 9, $fn = 24);
            }
}

module housing_top() {
    difference() {
        union() {
            linear_extrude(height = top_height) rounded_square(box_width, box_corner);
            // hanging loop
            translate([-hanger_width / 2, -4, top_height]) difference() {
                cube([hanger_width, 8, 14]);
                translate([hanger_width / 2, -1, 8]) rotate([-90, 0, 0])
                    cylinder(d = hanger_hole, h = 10, $fn = 32);
            }
        }
        translate([0, 0, -0.01]) linear_extrude(height = top_height - wall)
            rounded_square(box_width - 2 * wall, box_corner - wall);
        translate([0, 0, top_height - panel_depth]) linear_extrude(height = panel_depth + 0.01)
            difference() {
                square(panel_width + 0.6, center = true);
                translate([-hanger_width / 2 - 1, -5]) square([hanger_width + 2, 10]);
            }
        // cable hole for the panel leads
        translate([panel_width / 2 - 6, 0, 0]) cylinder(d = 4, h = top_height + 1, $fn = 24);
        bosses() translate([0, 0, -1]) cylinder(d = 3.4, h = top_height + 2, $fn = 24);
    }
}

module lens() {
    linear_extrude(height = lens_thickness) circle(d = lens_diameter, $fn = 128);
}

module lens_ring() {
    linear_extrude(height = ring_thickness) difference() {
        hull() {
            circle(d = lens_diameter + 2 * ring_width, $fn = 128);
            for (s = [-1, 1]) translate([s * ring_screw_spacing / 2, 0]) circle(d = 8);
        }
        circle(d = window_diameter, $fn = 128);
        for (s = [-1, 1]) translate([s * ring_screw_spacing / 2, 0]) circle(d = 3.4, $fn = 24);
    }
}

module pcb() {
    linear_extrude(height = pcb_thickness) difference() {
        square(pcb_width, center = true);
        for (sx = [-1, 1], sy = [-1, 1])
            translate([sx * (pcb_width / 2 - pcb_hole_inset), sy * (pcb_width / 2 - pcb_hole_inset)])
                circle(d = pcb_hole, $fn = 24);
    }
}

if (part == "housing-base") housing_base();
else if (part == "housing-top") housing_top();
else if (part == "lens") lens();
else if (part == "lens-ring") lens_ring();
else if (part == "pcb") pcb();
else assert(false, str("unknown part: ", part));
