// Editor helpers shared by the OSDP nodes' edit dialogs (osdp-bus, -pd, -command, -event). Node-RED
// serves this file from the package's resources/ folder at
// resources/@fieldlink/node-red-fieldlink/osdp-editor.js; each node's .html loads it with a relative
// <script src>, and the editor runs it before any of the package's registerType calls. Loading it
// more than once is harmless: the first copy wins.
window.fieldlinkOsdp = window.fieldlinkOsdp || (function () {
    // A node imported without some of its properties: show the defaults in the form.
    function fillDefaults(node, prefix) {
        var defs = node._def.defaults;
        Object.keys(defs).forEach(function (k) {
            if (node[k] !== undefined || defs[k].type) return;
            var el = $('#' + prefix + '-' + k);
            if (!el.length || Array.isArray(defs[k].value)) return;
            if (el.is(':checkbox')) el.prop('checked', !!defs[k].value);
            else el.val(defs[k].value);
        });
    }

    // The reader select (#node-input-pd): an empty choice, the readers of the chosen bus
    // (#node-input-bus), and the node's own address when that bus does not list it. Follows the bus.
    function setupPds(node, emptyLabel) {
        function fillPds() {
            var bus = RED.nodes.node($('#node-input-bus').val());
            var sel = $('#node-input-pd');
            var current = sel.val() !== null && sel.val() !== undefined && sel.data('filled') ? sel.val() : String(node.pd === undefined ? '' : node.pd);
            sel.empty();
            $('<option>').val('').text(emptyLabel).appendTo(sel);
            var seen = false;
            ((bus && bus.pds) || []).forEach(function (pd) {
                var v = String(pd.address);
                if (v === current) seen = true;
                $('<option>').val(v).text((pd.name || 'pd-' + pd.address) + ' (address ' + pd.address + ')').appendTo(sel);
            });
            if (current !== '' && !seen) $('<option>').val(current).text('address ' + current + ' (not on this bus)').appendTo(sel);
            sel.val(current).data('filled', true);
        }
        $('#node-input-bus').on('change', fillPds);
        fillPds();
    }

    return {
        fillDefaults: fillDefaults,
        setupPds: setupPds,
    };
})();
