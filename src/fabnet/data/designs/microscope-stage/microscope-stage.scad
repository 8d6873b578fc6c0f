// Single-axis flexure translation stage for a low-cost microscope (inspired by OpenFlexure).
// Part of the fabnet demo designs. License: CERN-OHL-S-2.0, (c) fabnet contributors.
//
// The sample platform hangs on two thin leaf springs (a parallelogram flexure): an M3 screw
// pushing the actuator column moves the platform sideways with no sliding parts. Print in PLA,
// 0.2 mm layers, no supports; the leaf springs must be exactly two perimeters thick.
//
//   openscad -o stage.stl microscope-stage.scad
// All sizes are millimetres.

/* [Base] */
base_width = 76;          // base plate width (x, the direction of travel)
base_depth = 56;          // base plate depth (y)
base_thickness = 5;       // base plate thickness
aperture = 14;            // light hole through the base and the platform

/* [Flexure] */
leaf_thickness = 0.8;     // leaf spring thickness (two 0.4 mm perimeters)
leaf_height = 26;         // free height of the leaf springs
leaf_width = 36;          // leaf spring width
platform_width = 44;      // sample platform width, between the springs
platform_thickness = 5;   // sample platform thickness
clip_hole = 2.5;          // holes for the slide clips (M3 self-tapping)

/* [Actuator] */
column_width = 10;        // actuator column on the base
nut_width = 5.7;          // M3 nut across flats, plus clearance
nut_height = 2.6;         // M3 nut thickness, plus clearance
screw_hole = 3.4;         // clearance hole for the M3 actuator screw

$fn = 48;

platform_z = base_thickness + leaf_height;

module base() {
    difference() {
        translate([-base_width / 2, -base_depth / 2, 0]) cube([base_width, base_depth, base_thickness]);
        translate([0, 0, -1]) cylinder(d = aperture, h = base_thickness + 2);
        // mounting holes
        for (sx = [-1, 1], sy = [-1, 1])
            translate([sx * (base_width / 2 - 5), sy * (base_depth / 2 - 5), -1])
                cylinder(d = 3.4, h = base_thickness + 2, $fn = 24);
    }
}

module leaves() {
    for (s = [-1, 1]) translate([s * (platform_width / 2 + leaf_thickness / 2) - leaf_thickness / 2,
                                 -leaf_width / 2, base_thickness - 0.01])
        cube([leaf_thickness, leaf_width, leaf_height + platform_thickness + 0.02]);
}

module platform() {
    difference() {
        translate([-platform_width / 2 - leaf_thickness, -leaf_width / 2, platform_z])
            cube([platform_width + 2 * leaf_thickness, leaf_width, platform_thickness]);
        translate([0, 0, platform_z - 1]) cylinder(d = aperture, h = platform_thickness + 2);
        for (s = [-1, 1]) translate([s * 14, 12, platform_z - 1])
            cylinder(d = clip_hole, h = platform_thickness + 2, $fn = 24);
    }
}

module actuator_column() {
    x0 = platform_width / 2 + leaf_thickness + 3;
    difference() {
        translate([x0, -column_width / 2, base_thickness - 0.01])
            cube([column_width, column_width, leaf_height + platform_thickness - 4]);
        // horizontal screw hole aimed at the platform edge, with a nut trap
        translate([x0 - 1, 0, platform_z + platform_thickness / 2 - 2]) rotate([0, 90, 0])
            cylinder(d = screw_hole, h = column_width + 2, $fn = 24);
        translate([x0 + column_width / 2 - nut_height / 2, -nut_width / 2,
                   platform_z + platform_thickness / 2 - 2 - nut_width / 2])
            cube([nut_height, nut_width, 30]);
    }
}

union() {
    base();
    leaves();
    platform();
    actuator_column();
}
