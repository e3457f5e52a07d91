import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Builds the matcher for TRUSTED_PROXIES entries (addresses or CIDR ranges, v4 or v6). */
export function createProxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(address)) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

const unmap = (address: string) =>
  address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
const isTrusted = (proxies: BlockList, address: string) =>
  proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * The address a request really came from: the socket's peer, unless that peer is a declared
 * proxy, in which case X-Forwarded-For is walked from the right past trusted hops.
 * A client can therefore never choose its own address by sending X-Forwarded-For.
 */
export function clientAddress(req: IncomingMessage, proxies: BlockList): string {
  let address = unmap(req.socket.remoteAddress ?? '');
  if (!address || !isTrusted(proxies, address)) return address;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => unmap(s.trim()))
    .filter((s) => isIP(s) !== 0);
  while (forwarded.length > 0 && isTrusted(proxies, address)) address = forwarded.pop() ?? address;
  return address;
}
