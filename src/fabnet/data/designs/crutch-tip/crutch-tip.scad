// Crutch tip: a flexible, grippy foot for an aluminium crutch or walking stick. Print in TPU.
// Part of the fabnet demo designs. License: CERN-OHL-P-2.0, (c) fabnet contributors.
//
// The bore grips the tube by interference; the tread rings and a soft base take the load.
// Print upright, 100 % infill in the base, 0.2 mm layers, slow (TPU 95A).
//
//   openscad -o crutch-tip.stl crutch-tip.scad
//   openscad -o crutch-tip-22.stl -D tube_diameter=22 crutch-tip.scad
// All sizes are millimetres.

/* [Tube] */
tube_diameter = 19;        // crutch tube outer diameter (3/4" = 19 mm; 22 mm is also common)
interference = 0.6;        // bore smaller than the tube, for grip
bore_depth = 38;           // how far the tube goes in

/* [Tip] */
wall = 4;                  // side wall thickness around the tube
base_thickness = 9;        // solid base under the tube end
foot_diameter = 44;        // tread diameter
foot_height = 10;          // height of the flared foot
tread_rings = 3;           // concentric grooves in the tread
groove_depth = 1.5;        // groove depth
groove_width = 2;          // groove width

$fn = 96;

bore = tube_diameter - interference;
body_diameter = bore + 2 * wall;
total_height = base_thickness + bore_depth;

difference() {
    union() {
        cylinder(d1 = foot_diameter, d2 = body_diameter, h = foot_height);
        cylinder(d = body_diameter, h = total_height);
        // a bead at the mouth that the user can grip when fitting the tip
        translate([0, 0, total_height - 4]) cylinder(d = body_diameter + 3, h = 4);
    }
    translate([0, 0, base_thickness]) cylinder(d = bore, h = bore_depth + 1);
    translate([0, 0, total_height - 2]) cylinder(d1 = bore, d2 = bore + 2, h = 2.01);
    for (i = [1 : tread_rings]) {
        r = (foot_diameter / 2 - 3) * i / tread_rings;
        translate([0, 0, -0.01]) difference() {
            cylinder(r = r, h = groove_depth);
            cylinder(r = r - groove_width, h = groove_depth + 1);
        }
    }
}
