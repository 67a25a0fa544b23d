// Audience Portal: small browser helpers (keyboard shortcuts, theme cookie). No business logic lives here.
window.portal = (function () {
    let registered = false;

    function onKey(e) {
        // Ctrl+K / Cmd+K: focus the page search box.
        if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
            const search = document.getElementById('global-search');
            if (search) { e.preventDefault(); search.focus(); search.select && search.select(); }
            return;
        }
        // Ctrl+S / Cmd+S: pages with a form listen for 'portal:save'; never the browser's "save page".
        if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
            e.preventDefault();
            document.dispatchEvent(new CustomEvent('portal:save'));
            return;
        }
        // Alt+1..9: the navigation items in order.
        if (e.altKey && !e.ctrlKey && !e.metaKey && /^[1-9]$/.test(e.key)) {
            const link = document.querySelector('[data-nav-index="' + e.key + '"]');
            if (link) { e.preventDefault(); link.click(); }
        }
    }

    return {
        init: function () {
            if (!registered) {
                document.addEventListener('keydown', onKey);
                registered = true;
            }
            document.body.dataset.portalReady = '1';
        },
        setTheme: function (value) {
            document.cookie = 'portal.theme=' + encodeURIComponent(value) + ';path=/;max-age=31536000;samesite=strict';
        }
    };
})();
