import { describe, expect, it } from 'vitest';
import {
  InvalidValue,
  formatIpEndpoint,
  parseDuration,
  parseGoDuration,
  parseHttpUrl,
  parseIpEndpoint,
  parsePort,
} from '../src/values.js';

describe('one parser per kind of value', () => {
  it.each([
    ['60s', 60_000],
    ['2m', 120_000],
    ['1500ms', 1500],
    ['90', 90_000],
    ['0.5s', 500],
    ['1m30s', 90_000],
    ['1h2m3s', 3_723_000],
    ['24h', 86_400_000],
  ])('reads the flag duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['soon', '', '-5s', '0', '0s', '25h', '99999999999h', '1e3', '1m 30s', '30sec'])(
    'refuses the flag duration %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(InvalidValue);
    },
  );

  it.each([
    ['0', 0],
    ['1h30m', 5_400_000],
    ['30m', 1_800_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['1h', 3_600_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
  ])('reads the Go duration %s as Kubernetes objects write it', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['90', '30', '1d', 'h', '', '1h-5m', 'soon'])('is not a Go duration: %j', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });

  it.each([
    ['80', 80],
    ['65535', 65_535],
    [' 443 ', 443],
  ])('reads the port %j', (text, port) => {
    expect(parsePort(text)).toBe(port);
  });

  it.each(['0', '65536', '1e3', '0x50', '-1', '8.0', 'http', ''])('refuses the port %j', (text) => {
    expect(() => parsePort(text)).toThrow(InvalidValue);
  });

  it.each([
    ['10.0.0.2', { host: '10.0.0.2', port: 53 }, '10.0.0.2:53'],
    ['10.0.0.2:5353', { host: '10.0.0.2', port: 5353 }, '10.0.0.2:5353'],
    ['[2001:db8::1]:53', { host: '2001:db8::1', port: 53 }, '[2001:db8::1]:53'],
    ['2001:db8::1', { host: '2001:db8::1', port: 53 }, '[2001:db8::1]:53'],
    ['fe80::1%eth0', { host: 'fe80::1%eth0', port: 53 }, '[fe80::1%eth0]:53'],
  ])('reads the resolver %s', (text, endpoint, formatted) => {
    expect(parseIpEndpoint(text, 53)).toEqual(endpoint);
    expect(formatIpEndpoint(endpoint)).toBe(formatted);
  });

  it.each([
    [
      'dns.google',
      'takes an IP address, not the host name "dns.google" (look it up first, e.g. dig +short dns.google)',
    ],
    ['999.1.1.1', 'takes IP[:PORT] with a valid IP address, not "999.1.1.1"'],
    ['127.0.0.1:53:53', 'takes IP[:PORT], not "127.0.0.1:53:53"'],
    ['10.0.0.2:0', 'takes a port number from 1 to 65535, not "0"'],
    ['[::1]:x', 'takes a port number from 1 to 65535, not "x"'],
  ])('refuses the resolver %s and says why', (text, message) => {
    expect(() => parseIpEndpoint(text, 53)).toThrow(new InvalidValue(message));
  });

  it('reads an OpenBao URL and refuses what is not an http(s) URL', () => {
    expect(parseHttpUrl('https://bao.example:8200/')).toBe('https://bao.example:8200');
    for (const text of ['openbao:8200', 'bao.example', 'ftp://bao.example', 'http://']) {
      expect(() => parseHttpUrl(text)).toThrow(InvalidValue);
    }
  });
});

describe('wrapping text for a terminal', () => {
  it('breaks at spaces within the width and never cuts a word, a URL or a command token', async () => {
    const { wrap } = await import('../src/text.js');
    expect(wrap('Update the A record of stg.cocdev.co.kr now', 16)).toEqual([
      'Update the A',
      'record of',
      'stg.cocdev.co.kr',
      'now',
    ]);
    expect(
      wrap('see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-registered-domain', 20),
    ).toEqual(['see', 'https://letsencrypt.org/docs/rate-limits/#new-certificates-per-registered-domain']);
    expect(wrap('', 10)).toEqual(['']);
  });
});
