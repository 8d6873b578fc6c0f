// Wheelchair front caster fork, CNC-milled from one block of aluminium 6061-T6.
// Part of the fabnet demo designs. License: CERN-OHL-S-2.0, (c) fabnet contributors.
//
// Takes a 150 mm (6") caster wheel up to 32 mm wide on an 8 mm axle bolt; the stem bore takes
// an M10 stem bolt through the frame's caster housing. The axle bores are the tight feature:
// 8 H9 (IT9), so the axle sleeve slides in without play.
//
//   openscad -o caster-fork.stl wheelchair-caster-fork.scad
// All sizes are millimetres.

/* [Wheel] */
wheel_diameter = 150;    // caster wheel diameter
wheel_width = 32;        // caster wheel width including hub
side_clearance = 2;      // gap between the wheel hub and each fork leg

/* [Fork] */
leg_thickness = 7;       // thickness of each leg
fork_depth = 28;         // depth of the fork (along the direction of travel)
crown_height = 18;       // height of the crown block
trail = 0;               // offset of the axle behind the stem (0 = straight fork)
tip_radius = 14;         // radius of the rounded leg ends

/* [Bores] */
axle_diameter = 8;       // axle bore, H9
stem_diameter = 10.5;    // stem bore, clearance for M10
wheel_gap = 6;           // clearance between the tyre and the crown

$fn = 96;

inner_width = wheel_width + 2 * side_clearance;
outer_width = inner_width + 2 * leg_thickness;
axle_height = wheel_diameter / 2 + wheel_gap;   // from the crown's underside to the axle
leg_length = axle_height + tip_radius;

module leg(side) {
    x = side * (inner_width / 2 + leg_thickness / 2);
    translate([x - leg_thickness / 2, 0, 0]) rotate([0, 90, 0])
        linear_extrude(height = leg_thickness) hull() {
            translate([0, 0]) square([0.01, fork_depth], center = true);
            translate([axle_height, trail]) circle(r = tip_radius);
            translate([0.01, 0]) square([0.01, fork_depth], center = true);
        }
}

difference() {
    union() {
        // crown
        translate([-outer_width / 2, -fork_depth / 2, 0]) cube([outer_width, fork_depth, crown_height]);
        leg(1);
        leg(-1);
    }
    // stem bore, vertical through the crown
    translate([0, 0, -1]) cylinder(d = stem_diameter, h = crown_height + 2);
    // axle bores, through both legs
    translate([-outer_width, trail, -axle_height]) rotate([0, 90, 0])
        cylinder(d = axle_diameter, h = 2 * outer_width);
    // lightening pocket on the crown's top face
    for (s = [-1, 1]) translate([s * (stem_diameter / 2 + 7), 0, crown_height - 6])
        cylinder(d = 8, h = 7);
}
