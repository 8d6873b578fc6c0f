// Finger splint: an open sleeve that keeps a finger straight, printed standing on one end.
// Part of the fabnet demo designs. License: CERN-OHL-P-2.0, (c) fabnet contributors.
//
//   openscad -o finger-splint.stl finger-splint.scad
//   openscad -o finger-splint-l.stl -D finger_diameter=21 -D length=60 finger-splint.scad
// All sizes are millimetres.

/* [Fit] */
// Measured finger diameter at the middle joint, plus 1 mm of padding
finger_diameter = 19;   // [12:0.5:28]
// Sleeve length along the finger
length = 52;            // [30:1:80]
// Shell thickness
wall = 2.0;             // [1.6:0.2:3.2]
// Width of the open slot on the palm side, in degrees
opening_angle = 100;    // [60:5:140]

/* [Ventilation] */
// Rows of ventilation holes along the sleeve
vent_rows = 3;          // [0:1:5]
// Hole diameter
vent_diameter = 5;      // [3:0.5:7]
// Holes around the back of the sleeve in each row
vent_columns = 3;       // [1:1:4]

/* [Ends] */
flare = 1.5;            // how far the ends open out, to avoid pressure edges

/* [Hidden] */
$fn = 96;

r_in = finger_diameter / 2;
r_out = r_in + wall;

module shell() {
    difference() {
        union() {
            cylinder(r1 = r_out + flare, r2 = r_out, h = 6);
            translate([0, 0, 6]) cylinder(r = r_out, h = length - 12);
            translate([0, 0, length - 6]) cylinder(r1 = r_out, r2 = r_out + flare, h = 6);
        }
        translate([0, 0, -1]) cylinder(r1 = r_in + flare, r2 = r_in, h = 7.01);
        cylinder(r = r_in, h = length);
        translate([0, 0, length - 6]) cylinder(r1 = r_in, r2 = r_in + flare, h = 6.01);
        // the open palm-side slot, centred on -y
        linear_extrude(height = length)
            polygon([[0, 0],
                     [3 * r_out * cos(-90 - opening_angle / 2), 3 * r_out * sin(-90 - opening_angle / 2)],
                     [0, -3 * r_out],
                     [3 * r_out * cos(-90 + opening_angle / 2), 3 * r_out * sin(-90 + opening_angle / 2)]]);
    }
}

module vents() {
    for (row = [1 : vent_rows], col = [0 : vent_columns - 1]) {
        z = length * row / (vent_rows + 1);
        angle = 90 + (col - (vent_columns - 1) / 2) * 40;
        translate([0, 0, z]) rotate([0, 0, angle]) rotate([0, 90, 0])
            cylinder(d = vent_diameter, h = r_out + 2, $fn = 24);
    }
}

// Printed standing on one end: the round vents bridge without supports.
difference() { shell(); vents(); }
