// The variants page: slider read-outs, and a three.js preview of the rendered STL that is
// redrawn each time htmx swaps in a new preview.
import * as THREE from "three";
import { STLLoader } from "three/addons/loaders/STLLoader.js";

function draw(canvas) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xf4f4f4);
  const camera = new THREE.PerspectiveCamera(35, canvas.width / canvas.height, 0.1, 5000);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 2.5));
  const light = new THREE.DirectionalLight(0xffffff, 1.5);
  light.position.set(1, 1, 2);
  scene.add(light);
  new STLLoader().load(canvas.dataset.stl, (geometry) => {
    geometry.computeBoundingSphere();
    geometry.center();
    const mesh = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ color: 0x2f7d6d }));
    mesh.rotation.x = -Math.PI / 3;
    scene.add(mesh);
    const r = geometry.boundingSphere.radius;
    camera.position.set(r * 1.6, r * 1.2, r * 2.4);
    camera.lookAt(0, 0, 0);
    renderer.render(scene, camera);
    canvas.dataset.loaded = String(geometry.attributes.position.count / 3);
  }, undefined, () => { canvas.dataset.loaded = "error"; });
}

function drawAll(root) {
  root.querySelectorAll("canvas.stl-preview").forEach(draw);
}

document.addEventListener("input", (event) => {
  const el = event.target;
  if (el.dataset && el.dataset.output) {
    const out = document.getElementById(el.dataset.output);
    if (out) out.textContent = el.value;
  }
});
document.body.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
drawAll(document);
