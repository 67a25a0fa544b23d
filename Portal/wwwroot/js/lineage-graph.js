// The lineage graph (Portal/Components/Pages/Lineage/LineageGraphView.razor) drawn by Cytoscape.js. The server lays it
// out (LineageLayout: GraphShape's Sugiyama, left to right) and sends each node's position; Cytoscape places them as
// given (its preset layout). The libraries come from npm (Portal/ClientApp) and are copied into wwwroot/lib by the
// build; they load on first use, so only pages with a graph pay for them.
const libs = ["lib/cytoscape/cytoscape.min.js", "lib/cytoscape/cytoscape-svg.js"];
// Above this many nodes, panning and zooming draw a snapshot and hide edges until the gesture ends.
const bigGraph = 400;
let loading;
const graphs = new Map();

// The libraries are UMD bundles: where an AMD loader is present (Monaco's, on pages with an editor) they would register
// with it instead of setting window.cytoscape. So each runs while the loader's "amd" flag is hidden (its define keeps
// working for Monaco's own modules meanwhile, which do not look at the flag), and sets its global. A plain script
// element rather than eval, so the Content-Security-Policy needs no 'unsafe-eval'.
function loadScript(src) {
    return new Promise((resolve, reject) => {
        const define = typeof window.define === "function" ? window.define : null;
        const amd = define ? define.amd : undefined;
        if (define) define.amd = undefined;
        const restore = () => { if (define) define.amd = amd; };
        const script = document.createElement("script");
        script.src = new URL(src, document.baseURI).href;
        script.onload = () => { restore(); resolve(); };
        script.onerror = () => { restore(); reject(new Error(`Could not load ${src}`)); };
        document.head.appendChild(script);
    });
}

/** Starts loading the libraries before there is a graph to draw (the page calls it while the server builds the graph). */
export function preload() {
    return loadLibraries();
}

function loadLibraries() {
    if (!loading) {
        loading = (async () => {
            for (const src of libs) {
                await loadScript(src);
            }
            window.cytoscape.use(window.cytoscapeSvg);
        })();
    }
    return loading;
}

const colours = {
    Table: "#607d8b", Dataset: "#795548", DataSource: "#8d6e63", Rule: "#3949ab",
    Segment: "#00897b", Audience: "#8e24aa", Adtech: "#f4511e", Job: "#546e7a",
};
const statusBorders = { Fresh: "#2e7d32", Stale: "#f9a825", Failed: "#c62828", NeverRun: "#9e9e9e", Refreshing: "#1e88e5", None: "#cfd8dc" };

// A big graph: labels too small to read at the current zoom are not drawn and not measured for ellipses, nodes are plain
// rectangles and edges straight solid lines (data flows left to right, so no arrow heads; dashed and dotted lines cost
// twice as much to draw, so a job's runs edges are told apart by a fainter colour). Each element matches as few blocks as
// possible, and colours come with the node's data (see nodeData) rather than a selector per kind and status: styling
// thousands of elements costs per block matched and property applied.
function style(big) {
    const small = (normal, forBig) => big ? forBig : normal;
    return [
        { selector: "node", style: {
            "label": "data(label)", "text-valign": "center", "text-halign": "center", "font-size": 11, "color": "#fff",
            "text-wrap": small("ellipsis", "none"), "text-max-width": 150, "width": 160, "height": 36,
            "shape": small("round-rectangle", "rectangle"), "border-width": 3, "background-color": "#546e7a", "border-color": "#cfd8dc",
            ...(big ? { "min-zoomed-font-size": 7 } : {}) } },
        { selector: "node[fill]", style: { "background-color": "data(fill)", "border-color": "data(stroke)" } },
        { selector: "node:parent", style: {
            "label": "data(label)", "text-valign": "top", "background-opacity": 0.06, "color": "#555", "border-width": 1,
            "border-style": "dashed", "font-size": 13 } },
        { selector: "edge", style: big
            ? { "width": 1.5, "curve-style": "haystack", "haystack-radius": 0, "line-color": "#b0bec5" }
            : { "width": 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#b0bec5", "target-arrow-color": "#b0bec5" } },
        // Only edges with a label map it (an edge[label] selector), so Cytoscape has no data-less mapping to warn about.
        { selector: "edge[label]", style: { "label": "data(label)", "font-size": 9, "text-rotation": "autorotate", "color": "#666",
            ...(big ? { "min-zoomed-font-size": 7 } : {}) } },
        { selector: "edge.Membership", style: { "line-style": small("dashed", "solid") } },
        { selector: "edge.Runs", style: big ? { "line-color": "#e3e9ec" } : { "line-style": "dotted", "width": 1 } },
        { selector: "node.has-hidden", style: { "border-style": "double", "border-width": 5 } },
        { selector: "node:selected", style: { "overlay-opacity": 0.15, "overlay-color": "#1e88e5" } },
        { selector: ".dimmed", style: { "opacity": 0.15 } },
        { selector: "node.highlighted", style: { "overlay-opacity": 0.12, "overlay-color": "#fdd835" } },
        { selector: "edge.highlighted", style: { "line-color": "#fbc02d", "target-arrow-color": "#fbc02d", "width": 3 } },
    ];
}

// Null data fields are dropped: Cytoscape's [field] selector matches any value but undefined.
function dataOf(data) {
    return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null && v !== undefined));
}

function nodeData(data) {
    const d = dataOf(data);
    if (colours[d.kind]) {
        d.fill = colours[d.kind];
        d.stroke = statusBorders[d.status] ?? statusBorders.None;
    }
    return d;
}

function elementsOf(payload) {
    return [...payload.nodes.map(n => n.position
            ? { group: "nodes", data: nodeData(n.data), classes: n.classes, position: { x: n.position.x, y: n.position.y } }
            : { group: "nodes", data: nodeData(n.data), classes: n.classes }),
        ...payload.edges.map(e => ({ group: "edges", data: dataOf(e.data), classes: e.classes }))];
}

// The zoom and pan that fit the graph to the canvas (a small graph not blown up past 120 %), from the positions the
// server sent: Cytoscape's own fit measures every label first, which for thousands of nodes takes longer than drawing.
function viewportFor(payload, element) {
    const placed = payload.nodes.filter(n => n.position);
    if (placed.length === 0) return { zoom: 1, pan: { x: 0, y: 0 } };
    const halfWidth = 80, halfHeight = 18; // LineageLayout.NodeWidth and NodeHeight, halved: positions are centres
    const grouped = payload.nodes.length > placed.length; // domain boxes: room for their border, and their label on top
    const margin = grouped ? 40 : 20, label = grouped ? 20 : 0;
    const xs = placed.map(n => n.position.x), ys = placed.map(n => n.position.y);
    const left = Math.min(...xs) - halfWidth - margin, right = Math.max(...xs) + halfWidth + margin;
    const top = Math.min(...ys) - halfHeight - margin - label, bottom = Math.max(...ys) + halfHeight + margin;
    const zoom = Math.max(0.02, Math.min(1.2, element.clientWidth / (right - left), element.clientHeight / (bottom - top)));
    return { zoom, pan: { x: (element.clientWidth - (right - left) * zoom) / 2 - left * zoom, y: (element.clientHeight - (bottom - top) * zoom) / 2 - top * zoom } };
}

/** Sets the viewport that fits the graph's payload to the canvas; a view the user has not moved keeps being fitted. */
function fitView(g, element) {
    g.fitting = true;
    try {
        g.cy.viewport(viewportFor(g.payload, element));
    } finally {
        g.fitting = false;
    }
    g.autoFit = true;
}

const nextFrame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));

// Ready once the first frame with the graph is drawn: from then on it takes clicks, pans and zooms.
// window.portalLineageReadyAt is performance.now(), i.e. milliseconds since the page's navigation started.
async function markReady(element, cy, payload, started) {
    const built = performance.now();
    await nextFrame();
    element.dataset.buildMs = String(Math.round(built - started));
    element.dataset.drawMs = String(Math.round(performance.now() - started));
    element.dataset.nodes = String(cy.nodes().not(":parent").length);
    element.dataset.edges = String(cy.edges().length);
    element.dataset.layoutMs = String(Math.round(payload.layoutMs));
    element.dataset.ready = "true";
    window.portalLineageReadyAt = performance.now();
}

export async function create(element, dotnet, payload) {
    window.portalLineageCreateAt = performance.now();
    await loadLibraries();
    const started = performance.now();
    dispose(element);
    const big = payload.nodes.length > bigGraph;
    // The viewport is given up front: set afterwards, it would make Cytoscape redo its bounding boxes and textures.
    // The elements go in as one batch: given to the constructor, each one's style was applied and announced on its own
    // (measured on 2,000 nodes: the first frame 15-20 % sooner).
    const cy = window.cytoscape({
        container: element, style: style(big), layout: { name: "preset", fit: false },
        ...viewportFor(payload, element),
        minZoom: 0.02, maxZoom: 3, boxSelectionEnabled: false, textureOnViewport: big, hideEdgesOnViewport: big,
    });
    cy.batch(() => cy.add(elementsOf(payload)));
    cy.on("tap", "node", evt => { if (!evt.target.isParent()) dotnet.invokeMethodAsync("NodeClicked", evt.target.id()); });
    cy.on("tap", evt => { if (evt.target === cy) dotnet.invokeMethodAsync("NodeClicked", null); });
    // The canvas follows its box (the details panel opening beside it, the window, a splitter): Cytoscape only watches
    // the window by itself. Until the user pans, zooms or centres a node, the graph is fitted again to the new size;
    // after that, what was in the middle stays in the middle.
    const g = { cy, dotnet, payload, autoFit: true, fitting: false, size: { w: element.clientWidth, h: element.clientHeight } };
    cy.on("viewport", () => { if (!g.fitting) g.autoFit = false; });
    g.resized = new ResizeObserver(() => {
        const size = { w: element.clientWidth, h: element.clientHeight };
        cy.resize();
        if (g.autoFit) {
            fitView(g, element);
        } else if (g.centring && cy.animated()) {
            // A node being centred (the details panel opening is what resized the canvas): centred in the new size.
            cy.stop(true, false);
            cy.zoom(g.centring.zoom);
            cy.center(cy.getElementById(g.centring.id));
        } else {
            cy.panBy({ x: (size.w - g.size.w) / 2, y: (size.h - g.size.h) / 2 });
        }
        g.size = size;
    });
    g.resized.observe(element);
    graphs.set(element, g);
    await markReady(element, cy, payload, started);
}

export async function update(element, payload) {
    const g = graphs.get(element);
    if (!g) return;
    element.dataset.ready = "false";
    const started = performance.now();
    const big = payload.nodes.length > bigGraph;
    g.cy.resize();
    // A centring animation still running (a node picked just before) would pan the new view away from its fit.
    g.cy.stop(true, false);
    g.cy.batch(() => { g.cy.elements().remove(); g.cy.add(elementsOf(payload)); });
    g.cy.style(style(big));
    g.payload = payload;
    fitView(g, element);
    await markReady(element, g.cy, payload, started);
}

export function highlight(element, ids) {
    const g = graphs.get(element);
    if (!g) return;
    const cy = g.cy;
    const keep = new Set(ids);
    cy.batch(() => {
        cy.elements().removeClass("dimmed highlighted");
        if (ids.length === 0) return;
        cy.nodes().forEach(n => { if (!n.isParent()) n.addClass(keep.has(n.id()) ? "highlighted" : "dimmed"); });
        cy.edges().forEach(e => e.addClass(keep.has(e.source().id()) && keep.has(e.target().id()) ? "highlighted" : "dimmed"));
    });
    element.dataset.highlighted = String(ids.length);
}

export function select(element, id, centre) {
    const g = graphs.get(element);
    if (!g) return;
    g.cy.nodes().unselect();
    const n = g.cy.getElementById(id);
    if (n.nonempty()) {
        n.select();
        if (centre) {
            g.centring = { id, zoom: Math.max(g.cy.zoom(), 1) };
            g.cy.animate({ center: { eles: n }, zoom: g.centring.zoom }, { duration: 200, complete: () => { g.centring = null; } });
        }
    }
}

// The toolbar's Fit: the same fit as a new view's (a small graph not blown up past 120 %).
export function fit(element) {
    const g = graphs.get(element);
    if (g) fitView(g, element);
}

export function zoom(element, factor) {
    const g = graphs.get(element);
    if (!g) return;
    g.cy.zoom({ level: g.cy.zoom() * factor, renderedPosition: { x: element.clientWidth / 2, y: element.clientHeight / 2 } });
}

function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function exportPng(element, name) {
    const g = graphs.get(element);
    if (!g) return;
    download(g.cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" }), name);
}

export function exportSvg(element, name) {
    const g = graphs.get(element);
    if (!g) return;
    download(new Blob([g.cy.svg({ full: true, bg: "#ffffff" })], { type: "image/svg+xml" }), name);
}

export function dispose(element) {
    const g = graphs.get(element);
    if (g) {
        g.resized.disconnect();
        g.cy.destroy();
        graphs.delete(element);
    }
}
