// The design page: a three.js preview of every part with an STL or 3MF (orbit, zoom, keys).
// three.js and its loaders come from /static/vendor (the page's import map); nothing else.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { STLLoader } from "three/addons/loaders/STLLoader.js";
import { ThreeMFLoader } from "three/addons/loaders/3MFLoader.js";

const COLOUR = 0x2f7d6d;

function objectOf(format, data) {
  if (format === "3mf") {
    const group = new ThreeMFLoader().parse(data);
    group.traverse((node) => {
      if (node.isMesh) node.material = new THREE.MeshStandardMaterial({ color: COLOUR });
    });
    return group;
  }
  const geometry = new STLLoader().parse(data);
  return new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ color: COLOUR }));
}

function triangles(object) {
  let count = 0;
  object.traverse((node) => {
    if (node.isMesh) {
      const g = node.geometry;
      count += g.index ? g.index.count / 3 : g.attributes.position.count / 3;
    }
  });
  return count;
}

async function preview(canvas) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xeef1f4);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 2.5));
  const light = new THREE.DirectionalLight(0xffffff, 1.5);
  light.position.set(1, 2, 3);
  scene.add(light);
  const camera = new THREE.PerspectiveCamera(35, 1, 0.1, 100000);
  const controls = new OrbitControls(camera, canvas);
  controls.listenToKeyEvents(canvas);
  const draw = () => {
    renderer.render(scene, camera);
    // the view, for whoever needs to know it moved (the page's tests)
    canvas.dataset.distance = controls.getDistance().toFixed(3);
    canvas.dataset.azimuth = controls.getAzimuthalAngle().toFixed(4);
    canvas.dataset.polar = controls.getPolarAngle().toFixed(4);
  };
  const fit = () => {
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    draw();
  };
  controls.addEventListener("change", draw);
  new ResizeObserver(fit).observe(canvas);
  try {
    const answer = await fetch(canvas.dataset.src, { credentials: "same-origin" });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    const object = objectOf(canvas.dataset.format, await answer.arrayBuffer());
    object.rotation.x = -Math.PI / 2; // CAD files are Z-up, three.js is Y-up
    const box = new THREE.Box3().setFromObject(object);
    const centre = box.getCenter(new THREE.Vector3());
    object.position.sub(centre);
    scene.add(object);
    const radius = box.getSize(new THREE.Vector3()).length() / 2 || 1;
    camera.near = radius / 100;
    camera.far = radius * 100;
    camera.position.set(radius * 1.4, radius * 1.1, radius * 2.0);
    controls.minDistance = radius * 0.3;
    controls.maxDistance = radius * 10;
    controls.target.set(0, 0, 0);
    controls.update();
    fit();
    canvas.dataset.loaded = String(triangles(object));
  } catch (error) {
    canvas.dataset.loaded = "error";
    canvas.setAttribute("aria-label", `${canvas.getAttribute("aria-label")}: could not be drawn (${error.message})`);
  }
}

document.querySelectorAll("canvas.part-preview").forEach(preview);
