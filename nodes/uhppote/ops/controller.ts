/** Operations of the uhppote-controller node: discovery, address, status, clock, listener, PC control, defaults. */
import { InvalidArgumentError } from '../../../lib/common/errors';
import type { OperationTable } from '../support/action';
import { accepted, controllerJson, statusJson } from '../support/results';
import { bool, dateTime, ipPort, ipv4, optInt } from '../support/values';

export const controllerOps: OperationTable = {
  'get-controllers': {
    run: async ({ engine }) => (await engine.getControllers()).map(controllerJson),
    describe: (r) => `${(r as unknown[]).length} found`,
  },
  'get-controller': {
    run: async ({ engine, controller }) => controllerJson(await engine.getController(controller())),
    describe: (r) => `${(r as { address: string }).address} ${(r as { version: string }).version}`,
  },
  'set-address': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const address = ipv4(args.address, 'address');
      const netmask = ipv4(args.netmask, 'netmask');
      const gateway = ipv4(args.gateway, 'gateway');
      const r = await engine.setIPv4(c, { address, netmask, gateway });
      return { controller: r.controller, ok: r.ok, address, netmask, gateway };
    },
    describe: (_r, a) => `address ${String(a.address)}`,
  },
  'get-status': {
    run: async ({ engine, controller }) => statusJson(await engine.getStatus(controller())),
    describe: (r) => {
      const doors = (r as { doors: { open: boolean }[] }).doors;
      return `doors open: ${doors.filter((d) => d.open).length}`;
    },
  },
  'get-time': {
    run: async ({ engine, controller }) => {
      const r = await engine.getTime(controller());
      return { controller: r.controller, datetime: r.datetime };
    },
    describe: (r) => String((r as { datetime: string | null }).datetime ?? 'no time'),
  },
  'set-time': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const r = await engine.setTime(c, dateTime(args.datetime, 'datetime', true));
      return { controller: r.controller, datetime: r.datetime };
    },
    describe: (r) => `set ${String((r as { datetime: string | null }).datetime)}`,
  },
  'get-listener': {
    run: async ({ engine, controller }) => {
      const r = await engine.getListener(controller());
      return { controller: r.controller, listener: `${r.address}:${r.port}`, address: r.address, port: r.port, interval: r.interval };
    },
    describe: (r) => String((r as { listener: string }).listener),
  },
  'set-listener': {
    run: async ({ engine, controller, network, args }) => {
      const c = controller();
      const given = typeof args.listener === 'string' && args.listener.trim() !== '';
      const { address, port } = ipPort(given ? args.listener : network.listenAddress, 'listener');
      if (address === '0.0.0.0') {
        throw new InvalidArgumentError(
          `listener: the network listens on ${network.listenAddress}; give the address the controller should send events to (ip:port)`,
        );
      }
      const interval = optInt(args.interval, 'interval', 0, 255, 0);
      const r = await engine.setListener(c, { address, port, interval });
      return { controller: r.controller, ok: accepted(r.ok, 'set the listener', true), listener: `${address}:${port}`, interval };
    },
    describe: (r) => `listener ${(r as { listener: string }).listener}`,
  },
  'set-pc-control': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const enabled = bool(args.enabled, 'enabled');
      const r = await engine.setPCControl(c, enabled);
      return { controller: r.controller, ok: accepted(r.ok, 'set PC control', true), enabled };
    },
    describe: (r) => `PC control ${(r as { enabled: boolean }).enabled ? 'on' : 'off'}`,
  },
  'restore-defaults': {
    run: async ({ engine, controller }) => {
      const r = await engine.restoreDefaultParameters(controller());
      return { controller: r.controller, ok: accepted(r.reset, 'restore default parameters', true) };
    },
    describe: () => 'defaults restored',
  },
};
