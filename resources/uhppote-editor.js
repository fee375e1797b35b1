// Editor helpers shared by the UHPPOTE nodes' edit dialogs (uhppote-network, -controller, -door,
// -card, -event, -schedule). Node-RED serves this file from the package's resources/ folder at
// resources/@fieldlink/node-red-fieldlink/uhppote-editor.js; each node's .html loads it with a
// relative <script src>, and the editor runs it before any of the package's registerType calls.
// Loading it more than once is harmless: the first copy wins.
window.fieldlinkUhppote = window.fieldlinkUhppote || (function () {
  var IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

  function isIPv4(v) {
    var m = IPV4.exec(String(v).trim());
    return !!m && m.slice(1).every(function (o) { return Number(o) <= 255; });
  }

  function isInt(v, min, max) {
    if (v === '' || v === undefined || v === null) return false;
    var n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max;
  }

  /** Empty, or a whole number in range. */
  function optInt(min, max) {
    return function (v) { return v === '' || v === undefined || isInt(v, min, max); };
  }

  /** A typedInput value: literal types are checked, msg/flow/global/env are not. */
  function typed(typeField, check) {
    return function (v) {
      var t = this[typeField];
      if (t && t !== 'str' && t !== 'num' && t !== 'name') return true;
      return v === '' || v === undefined || check(v);
    };
  }

  function names(networkId) {
    var net = networkId && RED.nodes.node(networkId);
    return ((net && net.controllers) || []).filter(function (c) { return c.name; }).map(function (c) {
      return { value: c.name, label: c.name + ' (' + c.serial + ')' };
    });
  }

  function controllerTypes(networkId) {
    var types = [];
    var known = names(networkId);
    if (known.length) types.push({ value: 'name', label: 'controller', icon: 'fa fa-list', options: known });
    types.push({ value: 'str', label: 'serial', icon: 'red/images/typedInput/az.svg' }, 'msg', 'flow', 'global', 'env');
    return types;
  }

  /** The controller typedInput, its options following the chosen network. */
  function setupController(node) {
    var input = $('#node-input-controller');
    var typeField = $('#node-input-controllerType');
    var netSelect = $('#node-input-network');
    var start = node.controllerType || 'str';
    input.typedInput({ default: start, typeField: typeField, types: controllerTypes(node.network) });
    input.typedInput('type', start);
    netSelect.on('change', function () {
      var type = input.typedInput('type');
      var value = input.typedInput('value');
      input.typedInput('types', controllerTypes(netSelect.val()));
      if (type === 'name' && !names(netSelect.val()).length) type = 'str';
      input.typedInput('type', type);
      input.typedInput('value', value);
    });
  }

  /** A typedInput for a value that may come from msg/flow/global/env. */
  function setupTyped(name, node, literal, extra) {
    var types = (extra || []).concat([literal || 'num', 'msg', 'flow', 'global', 'env']);
    var start = node[name + 'Type'] || (typeof types[0] === 'string' ? types[0] : types[0].value);
    $('#node-input-' + name).typedInput({ default: start, typeField: $('#node-input-' + name + 'Type'), types: types });
  }

  /** Shows the form rows an operation uses (rows carry data-ops="op1 op2 ..."). */
  function setupOperation() {
    var select = $('#node-input-operation');
    function show() {
      var op = select.val();
      $('.uhppote-row').each(function () {
        var ops = String($(this).attr('data-ops') || '').split(/\s+/);
        $(this).toggle(ops.indexOf(op) >= 0);
      });
    }
    select.on('change', show);
    show();
  }

  var WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

  /** Seven checkboxes <-> a comma-separated list in a hidden input. */
  function setupWeekdays(field) {
    var hidden = $('#node-input-' + field);
    var box = $('#uhppote-' + field + '-boxes');
    var chosen = String(hidden.val() || '').split(',').map(function (s) { return s.trim(); });
    WEEKDAYS.forEach(function (day) {
      var label = $('<label style="width:auto; margin-right:8px"></label>');
      var cb = $('<input type="checkbox" style="width:auto; margin:0 3px 0 0; vertical-align:baseline">').val(day);
      cb.prop('checked', chosen.indexOf(day) >= 0);
      cb.on('change', function () {
        hidden.val(box.find('input:checked').map(function () { return this.value; }).get().join(','));
      });
      label.append(cb, day.slice(0, 3));
      box.append(label);
    });
  }

  function label(ops, op) {
    return ops[op] || op;
  }

  function isDate(v) { return /^\d{4}-\d{2}-\d{2}$/.test(String(v).trim()); }
  function isHHmm(v) { return /^([01]?\d|2[0-3]):[0-5]\d$/.test(String(v).trim()); }

  /** A node's operation: one of the keys of its OPS table. */
  function operationValid(ops) {
    return function (v) { return Object.prototype.hasOwnProperty.call(ops, v); };
  }

  /** The node's label: its name, else the operation's words, else the fallback. */
  function opLabel(ops, fallback) {
    return function () { return this.name || ops[this.operation] || fallback; };
  }

  /** A typedInput whose literal must be a whole number in range (msg/flow/global/env unchecked). */
  function typedInt(typeField, min, max) {
    return typed(typeField, function (x) { return isInt(x, min, max); });
  }

  return {
    isIPv4: isIPv4,
    isInt: isInt,
    optInt: optInt,
    typed: typed,
    typedInt: typedInt,
    setupController: setupController,
    setupTyped: setupTyped,
    setupOperation: setupOperation,
    setupWeekdays: setupWeekdays,
    label: label,
    opLabel: opLabel,
    operationValid: operationValid,
    labelStyle: function () { return this.name ? 'node_label_italic' : ''; },
    isDate: isDate,
    isHHmm: isHHmm,
    isDateTime: function (v) { return /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(String(v).trim()); },
    /** Empty, or an IPv4 address. */
    optIPv4: function (v) { return v === '' || v === undefined || isIPv4(v); },
    /** Empty, or HH:mm. */
    optHHmm: function (v) { return v === '' || v === undefined || isHHmm(v); },
    /** Empty, YYYY-MM-DD or today. */
    optDate: function (v) { return v === '' || v === undefined || isDate(v) || v === 'today'; },
    controllerValid: typed('controllerType', function (v) { return /^\s*\d+\s*$/.test(String(v)) || String(v).trim() !== ''; }),
  };
})();
