// Gravity water-filter housing for one ceramic candle: body, cap and cartridge holder.
// Part of the fabnet demo designs. License: CERN-OHL-S-2.0, (c) fabnet contributors.
//
// Raw water is poured through the cap into the upper chamber, above the holder; it passes the
// ceramic candle that hangs from the holder and collects in the body, drained by the spout.
// Print in food-contact PETG.
//
//   openscad -o body.stl -D 'part="body"' water-filter-housing.scad
//   openscad -o cap.stl -D 'part="cap"' water-filter-housing.scad
//   openscad -o cartridge-holder.stl -D 'part="cartridge-holder"' water-filter-housing.scad
// All sizes are millimetres.

/* [Part] */
part = "body";             // "body", "cap" or "cartridge-holder"

/* [Body] */
body_diameter = 110;       // outer diameter of the body
body_height = 170;         // body height without the spout
wall = 2.4;                // wall and floor thickness
ledge_height = 110;        // height of the inner ledge the holder rests on
ledge_width = 4;           // how far the ledge stands in from the wall
spout_diameter = 12;       // outer diameter of the drain spout (fits 8 mm tubing or a tap)
lug_count = 3;             // bayonet lugs on the rim that lock the cap

/* [Cap] */
cap_skirt = 14;            // skirt height that slides over the rim
cap_clearance = 0.4;       // radial gap between the rim and the skirt
inlet_diameter = 40;       // pouring hole in the cap

/* [Cartridge holder] */
holder_thickness = 4;      // plate thickness
stem_hole = 13;            // hole for the candle's 1/2" threaded stem
gasket_recess = 0.8;       // depth of the recess for the silicone gasket
gasket_diameter = 30;      // gasket outer diameter

$fn = 128;

r_body = body_diameter / 2;

module lug() {
    translate([r_body - 0.5, -6, body_height - 10]) cube([2.5, 12, 4]);
}

module body() {
    difference() {
        union() {
            cylinder(r = r_body, h = body_height);
            for (i = [0 : lug_count - 1]) rotate([0, 0, i * 360 / lug_count]) lug();
            // spout, near the floor, horizontal
            translate([0, 0, wall + spout_diameter / 2]) rotate([0, 90, 0])
                cylinder(d = spout_diameter, h = r_body + 15, $fn = 48);
        }
        translate([0, 0, wall]) cylinder(r = r_body - wall, h = body_height);
        translate([0, 0, wall + spout_diameter / 2]) rotate([0, 90, 0])
            cylinder(d = spout_diameter - 2 * 1.6, h = r_body + 16, $fn = 48);
    }
    // ledge for the holder, with a 45 degree underside so it prints without supports
    translate([0, 0, ledge_height - ledge_width]) difference() {
        cylinder(r = r_body - wall + 0.01, h = ledge_width);
        cylinder(r1 = r_body - wall, r2 = r_body - wall - ledge_width, h = ledge_width);
        translate([0, 0, -0.01]) cylinder(r = r_body - wall - ledge_width, h = ledge_width + 1);
    }
}

module cap() {
    r_skirt_in = r_body + 2.5 + cap_clearance;
    difference() {
        cylinder(r = r_skirt_in + wall, h = cap_skirt + wall);
        translate([0, 0, wall]) cylinder(r = r_skirt_in, h = cap_skirt + 1);
        translate([0, 0, -1]) cylinder(d = inlet_diameter, h = wall + 2);
        // L-shaped bayonet slots: down the skirt, then a turn
        for (i = [0 : lug_count - 1]) rotate([0, 0, i * 360 / lug_count]) {
            translate([r_body - 1, -7, wall + cap_skirt - 11]) cube([4, 14, 12]);
        }
    }
}

module cartridge_holder() {
    r_plate = r_body - wall - 0.4;
    difference() {
        union() {
            cylinder(r = r_plate, h = holder_thickness);
            // stiffening ribs on the top side
            for (i = [0 : 3]) rotate([0, 0, i * 45])
                translate([-r_plate + 2, -1, 0]) cube([2 * r_plate - 4, 2, holder_thickness + 4]);
        }
        translate([0, 0, -1]) cylinder(d = stem_hole, h = holder_thickness + 6, $fn = 48);
        translate([0, 0, -0.01]) cylinder(d = gasket_diameter, h = gasket_recess, $fn = 64);
        // central boss clearance above the plate for the candle nut
        translate([0, 0, holder_thickness]) cylinder(d = 34, h = 5, $fn = 64);
    }
}

if (part == "body") body();
else if (part == "cap") cap();
else if (part == "cartridge-holder") cartridge_holder();
else assert(false, str("unknown part: ", part));
