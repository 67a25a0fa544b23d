// Browser side of the lineage graph (Portal/Components/Pages/Lineage/LineageGraphView): the graph itself is drawn by
// Z.Blazor.Diagrams from the server; this module only says when a view is drawn (the page's clock) and turns the SVG
// the server writes into downloads.

const nextFrame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));

/**
 * Called once a view's first nodes are in the DOM: after the next painted frame, marks the canvas ready and records
 * window.portalLineageReadyAt (performance.now(): milliseconds since the page's navigation started), the first such
 * time of the document (portalLineageFirstReadyAt: the page is usable) and the first time a complete view was drawn
 * (portalLineageCompleteAt; not for the focus view shown while a big graph is being laid out).
 */
export async function markReady(element, complete) {
    await nextFrame();
    const now = performance.now();
    window.portalLineageReadyAt = now;
    window.portalLineageFirstReadyAt ??= now;
    if (complete) {
        window.portalLineageCompleteAt ??= now;
    }
    if (element) {
        element.dataset.ready = "true";
        element.dataset.readyAt = String(Math.round(now));
    }
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

export function downloadSvg(svg, name) {
    download(new Blob([svg], { type: "image/svg+xml" }), name);
}

/** Rasterises the SVG at twice its size (capped at 8,192 px a side, what canvases allow everywhere) and downloads the PNG. */
export async function downloadPng(svg, name) {
    const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    try {
        const image = new Image();
        image.src = url;
        await image.decode();
        const scale = Math.min(2, 8192 / Math.max(image.width, image.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(image.width * scale));
        canvas.height = Math.max(1, Math.round(image.height * scale));
        const context = canvas.getContext("2d");
        context.fillStyle = "#ffffff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        const blob = await new Promise(resolve => canvas.toBlob(resolve, "image/png"));
        download(blob, name);
    } finally {
        URL.revokeObjectURL(url);
    }
}
