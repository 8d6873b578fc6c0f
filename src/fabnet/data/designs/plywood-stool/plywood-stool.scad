// Slot-together stool, laser-cut from 6 mm birch plywood: a seat, four legs and a brace ring.
// Part of the fabnet demo designs. License: CC-BY-SA-4.0, (c) fabnet contributors.
//
// The legs' top tabs go through the seat's slots; the horizontal brace ring slides into the
// legs' side notches (each notch meets a slot in the ring: a half-lap at right angles) and
// keeps the legs square. No glue needed; a drop of wood glue in the seat slots makes it permanent.
//
//   openscad -o seat.stl -D 'part="seat"' plywood-stool.scad
//   (parts: seat, leg, brace-ring)
// All sizes are millimetres. Every part is a flat outline extruded by the sheet thickness.

/* [Part] */
part = "seat";            // "seat", "leg" or "brace-ring"

/* [Material] */
sheet = 6;                // plywood thickness
fit = 0.15;               // slot clearance (kerf already compensated by the laser)

/* [Stool] */
seat_diameter = 320;      // round seat
stool_height = 430;       // floor to seat top
leg_width = 120;          // leg width at the floor
leg_top_width = 70;       // leg width under the seat
tab_width = 40;           // tab through the seat
leg_radius = 115;         // distance of each leg's outer face from the centre, under the seat
brace_height = 140;       // height of the brace ring's underside above the floor
notch_depth = 20;         // how far the legs' notches and the ring's slots reach
brace_hole = 60;          // inner diameter of the brace ring

$fn = 96;

leg_height = stool_height - sheet;       // up to the seat's underside
slot_length = tab_width + fit;
leg_inner_radius = leg_radius - leg_top_width;  // the legs' inner edges, from the centre
brace_outer_radius = leg_inner_radius + 2 * notch_depth;

module seat_2d() {
    difference() {
        circle(d = seat_diameter, $fn = 192);
        for (a = [0, 90, 180, 270]) rotate(a)
            translate([leg_radius - leg_top_width / 2 - slot_length / 2, -(sheet + fit) / 2])
                square([slot_length, sheet + fit]);
        circle(d = 30);  // hand hole to carry the stool
    }
}

module leg_2d() {
    // drawn with the floor at y = 0 and the stool's centre side at x = 0
    difference() {
        union() {
            polygon([[0, 0], [leg_width, 0], [leg_top_width, leg_height], [0, leg_height]]);
            translate([leg_top_width / 2 - tab_width / 2, leg_height]) square([tab_width, sheet]);
        }
        // notch for the brace ring, open towards the centre
        translate([-0.01, brace_height]) square([notch_depth + 0.01, sheet + fit]);
        // arch between the feet saves material and steadies the stool on uneven floors
        translate([leg_width * 0.55, 0]) scale([leg_width * 0.3, 35]) circle(r = 1);
    }
}

module brace_ring_2d() {
    difference() {
        circle(r = brace_outer_radius, $fn = 192);
        circle(d = brace_hole);
        for (a = [0, 90, 180, 270]) rotate(a)
            translate([leg_inner_radius + notch_depth, -(sheet + fit) / 2])
                square([notch_depth + 1, sheet + fit]);
    }
}

linear_extrude(height = sheet) {
    if (part == "seat") seat_2d();
    else if (part == "leg") leg_2d();
    else if (part == "brace-ring") brace_ring_2d();
    else assert(false, str("unknown part: ", part));
}
