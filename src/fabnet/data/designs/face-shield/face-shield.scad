// Face shield: 3D-printed headband and laser-cut visor, held by an elastic strap.
// Part of the fabnet demo designs. License: CERN-OHL-S-2.0, (c) fabnet contributors.
//
// Render one part at a time:
//   openscad -o headband.stl -D 'part="headband"' face-shield.scad
//   openscad -o visor.stl    -D 'part="visor"'    face-shield.scad
// All sizes are millimetres.

/* [Part] */
// "headband" (FDM print) or "visor" (laser-cut sheet)
part = "headband";        // [headband, visor]

/* [Headband] */
// Inner width of the band across the temples (about 150 for a child, 190 for a large adult)
head_width = 176;         // [140:2:200]
// Inner depth from the band's ends to the forehead
head_depth = 92;          // [70:2:110]
band_height = 16;         // height of the band
wall = 2.4;               // band wall thickness (six 0.4 mm extrusion lines)

/* [Visor studs] */
stud_count = 5;           // studs on the band's front that pierce the visor
stud_pitch = 62;          // distance between studs, measured along the band
stud_diameter = 4.5;      // stud diameter; visor holes are this plus hole_clearance
stud_length = 5;          // how far a stud stands out of the band

/* [Strap hooks] */
hook_length = 16;         // length of the tab behind each end of the band
slot_width = 3;           // slot for the elastic strap, across the tab
slot_height = 12;         // slot height; fits a 10 mm elastic with room to thread it

/* [Visor] */
visor_thickness = 0.5;    // PETG sheet thickness
visor_height = 220;       // from the top edge to the chin
visor_margin = 12;        // visor width beyond the outer studs, each side
visor_corner = 25;        // radius of the two lower corners
hole_clearance = 0.3;     // visor hole diameter minus stud diameter
hole_drop = 8;            // visor hole centre below the top edge

$fn = 64;

a = head_width / 2 + wall / 2;  // semi-axes of the band's mid-line
b = head_depth + wall / 2;
samples = 180;                  // points along the half ellipse for arc lengths

function ellipse_point(t) = [a * cos(t), b * sin(t)];
function seg(i) = norm(ellipse_point(180 * (i + 1) / samples) - ellipse_point(180 * i / samples));
function arc_to(k) = k <= 0 ? 0 : arc_to(k - 1) + seg(k - 1);
function angle_at(s, k = 0) =
    (k >= samples - 1 || arc_to(k + 1) >= s) ? 180 * k / samples + 180 / samples * (s - arc_to(k)) / seg(k)
                                               : angle_at(s, k + 1);
half_length = arc_to(samples) / 2;
stud_offsets = [for (i = [0 : stud_count - 1]) (i - (stud_count - 1) / 2) * stud_pitch];

module band_2d() {
    difference() {
        scale([head_width / 2 + wall, head_depth + wall]) circle(r = 1, $fn = 128);
        scale([head_width / 2, head_depth]) circle(r = 1, $fn = 128);
        translate([-head_width, -2 * head_depth]) square([2 * head_width, 2 * head_depth]);
    }
}

module hook(side) {
    x = side * (head_width / 2 + wall / 2);
    difference() {
        translate([x - wall / 2, -hook_length, 0]) cube([wall, hook_length + 0.01, band_height]);
        translate([x - wall, -hook_length + 3, (band_height - slot_height) / 2])
            cube([2 * wall, slot_width, slot_height]);
    }
}

module stud(s) {
    t = angle_at(half_length + s);
    p = [(head_width / 2 + wall) * cos(t), (head_depth + wall) * sin(t)];
    n = [cos(t) / (head_width / 2 + wall), sin(t) / (head_depth + wall)];
    dir = n / norm(n);
    translate([p[0] - dir[0], p[1] - dir[1], band_height / 2])
        rotate([0, 0, atan2(dir[1], dir[0])]) rotate([0, 90, 0])
            cylinder(d = stud_diameter, h = stud_length + 1, $fn = 24);
}

module headband() {
    linear_extrude(height = band_height) band_2d();
    hook(1);
    hook(-1);
    for (s = stud_offsets) stud(s);
}

module visor_2d() {
    w = (stud_count - 1) * stud_pitch + 2 * visor_margin;
    difference() {
        hull() {
            translate([-w / 2, -1]) square([w, 1]);
            translate([-w / 2 + visor_corner, -visor_height + visor_corner]) circle(r = visor_corner);
            translate([w / 2 - visor_corner, -visor_height + visor_corner]) circle(r = visor_corner);
        }
        for (s = stud_offsets)
            translate([s, -hole_drop]) circle(d = stud_diameter + hole_clearance, $fn = 24);
    }
}

module visor() {
    linear_extrude(height = visor_thickness) visor_2d();
}

if (part == "headband") headband();
else if (part == "visor") visor();
else assert(false, str("unknown part: ", part));
