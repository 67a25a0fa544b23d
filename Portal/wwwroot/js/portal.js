// Audience Portal: small browser helpers (keyboard shortcuts, theme cookie). No business logic lives here.
window.portal = (function () {
    let registered = false;

    function onKey(e) {
        // Ctrl+K / Cmd+K: focus the page search box.
        if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
            const search = document.getElementById('global-search');
            // Focus once the key's own handling is over, so no component takes the focus back afterwards.
            if (search) { e.preventDefault(); setTimeout(function () { search.focus(); if (search.select) { search.select(); } }, 0); }
            return;
        }
        // Ctrl+S / Cmd+S: pages with a form listen for 'portal:save'; never the browser's "save page".
        if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
            e.preventDefault();
            document.dispatchEvent(new CustomEvent('portal:save'));
            return;
        }
        // Ctrl+Z outside text fields: pages with an undo stack (the rule builder) listen for 'portal:undo'.
        if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'z') {
            const el = document.activeElement;
            const typing = el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
            if (!typing) {
                e.preventDefault();
                document.dispatchEvent(new CustomEvent('portal:undo'));
            }
            return;
        }
        // Alt+1..9: the navigation items in order.
        if (e.altKey && !e.ctrlKey && !e.metaKey && /^[1-9]$/.test(e.key)) {
            const link = document.querySelector('[data-nav-index="' + e.key + '"]');
            if (link) { e.preventDefault(); link.click(); }
        }
    }

    let monacoLoading = null;
    const listeners = {};

    function loadScript(src) {
        return new Promise(function (resolve, reject) {
            const script = document.createElement('script');
            script.src = src;
            script.onload = resolve;
            script.onerror = function () { reject(new Error('Could not load ' + src)); };
            document.head.appendChild(script);
        });
    }

    function monacoEditor(id) {
        const holder = window.blazorMonaco && window.blazorMonaco.editors.find(function (e) { return e.id === id; });
        return holder ? holder.editor : null;
    }

    return {
        // Monaco is large: it is loaded the first time a page shows an editor, not with every page.
        loadMonaco: function () {
            if (!monacoLoading) {
                const base = '_content/BlazorMonaco/';
                monacoLoading = loadScript(base + 'jsInterop.js')
                    .then(function () { return loadScript(base + 'lib/monaco-editor/min/vs/loader.js'); })
                    .then(function () {
                        return new Promise(function (resolve, reject) { window.require(['vs/editor/editor.main'], resolve, reject); });
                    })
                    .then(function () { return true; })
                    .catch(function (e) { console.error(e); monacoLoading = null; return false; });
            }
            return monacoLoading;
        },
        // Validation markers: [{line, column, endLine, endColumn, message}] (1-based, as the server reports them).
        setMarkers: function (id, markers) {
            const editor = monacoEditor(id);
            if (!editor || !window.monaco) { return false; }
            window.monaco.editor.setModelMarkers(editor.getModel(), 'portal', markers.map(function (m) {
                return {
                    startLineNumber: m.line, startColumn: m.column, endLineNumber: m.endLine, endColumn: m.endColumn,
                    message: m.message, severity: window.monaco.MarkerSeverity.Error
                };
            }));
            return true;
        },
        setEditorTheme: function (dark) {
            if (window.monaco) { window.monaco.editor.setTheme(dark ? 'vs-dark' : 'vs'); }
        },
        revealLine: function (id, line, column) {
            const editor = monacoEditor(id);
            if (!editor) { return; }
            editor.revealLineInCenter(line);
            editor.setPosition({ lineNumber: line, column: column });
            editor.focus();
        },
        // A vertical splitter: dragging it sets the CSS variable that sizes the left pane of its container.
        splitter: function (handle) {
            if (!handle || handle.dataset.bound) { return; }
            handle.dataset.bound = '1';
            const container = handle.parentElement;
            function setWidth(px) {
                const rect = container.getBoundingClientRect();
                const clamped = Math.max(240, Math.min(rect.width - 240, px));
                container.style.setProperty('--portal-split-left', clamped + 'px');
                handle.setAttribute('aria-valuenow', String(Math.round(100 * clamped / rect.width)));
            }
            handle.addEventListener('pointerdown', function (e) {
                e.preventDefault();
                handle.setPointerCapture(e.pointerId);
                const move = function (ev) { setWidth(ev.clientX - container.getBoundingClientRect().left); };
                const up = function () { handle.removeEventListener('pointermove', move); handle.removeEventListener('pointerup', up); };
                handle.addEventListener('pointermove', move);
                handle.addEventListener('pointerup', up);
            });
            handle.addEventListener('keydown', function (e) {
                const left = handle.previousElementSibling.getBoundingClientRect().width;
                if (e.key === 'ArrowLeft') { e.preventDefault(); setWidth(left - 32); }
                if (e.key === 'ArrowRight') { e.preventDefault(); setWidth(left + 32); }
            });
        },
        // Any portal event ('portal:save', 'portal:undo') for one component: calls its [JSInvokable] method until unlisten.
        listen: function (key, eventName, dotnetRef, method) {
            window.portal.unlisten(key);
            const handler = function () { dotnetRef.invokeMethodAsync(method); };
            listeners[key] = { eventName: eventName, handler: handler };
            document.addEventListener(eventName, handler);
        },
        unlisten: function (key) {
            const entry = listeners[key];
            if (entry && entry.eventName) { document.removeEventListener(entry.eventName, entry.handler); delete listeners[key]; }
        },
        // Ctrl+S for one component: calls its [JSInvokable] OnSaveShortcut until offSave.
        onSave: function (key, dotnetRef) { window.portal.listen(key, 'portal:save', dotnetRef, 'OnSaveShortcut'); },
        offSave: function (key) { window.portal.unlisten(key); },
        init: function () {
            if (!registered) {
                // Capture phase: the shortcuts work even where a component (a menu, the code editor) stops the event.
                document.addEventListener('keydown', onKey, true);
                registered = true;
            }
            document.body.dataset.portalReady = '1';
        },
        setTheme: function (value) {
            document.cookie = 'portal.theme=' + encodeURIComponent(value) + ';path=/;max-age=31536000;samesite=strict';
        }
    };
})();
