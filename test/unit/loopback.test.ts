import { describe, expect, it } from 'vitest';
import { countTimeWait, loopbackReusesTimeWait, loopbackSources } from '../../src/load/loopback.js';

describe('loopback', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 0100007F:8AE2 06 00000000:00000000 03:00000F2A 00000000     0        0 0',
    '   1: 0100007F:8AE3 0100007F:1F90 06 00000000:00000000 03:00000F2A 00000000     0        0 0',
    '   2: 0100007F:1F90 0100007F:8AE4 01 00000000:00000000 00:00000000 00000000     0        0 1',
    '   3: 0100007F:1F91 0100007F:8AE5 06 00000000:00000000 03:00000F2A 00000000     0        0 0',
  ].join('\n');
  it('counts TIME_WAIT sockets on a port, either side', () => expect(countTimeWait([table], 0x1f90)).toBe(2));
  it('spreads over 127.0.0.x on Linux only', () => {
    expect(loopbackSources(3, 'linux', false)).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    expect(loopbackSources(3, 'darwin', false)).toEqual([]);
    // With TIME_WAIT reuse the kernel picks: a bound source address would bypass the reuse.
    expect(loopbackSources(3, 'linux', true)).toEqual([]);
    expect(loopbackReusesTimeWait(() => '2\n')).toBe(true);
    expect(loopbackReusesTimeWait(() => '1')).toBe(true);
    expect(loopbackReusesTimeWait(() => '0')).toBe(false);
    expect(
      loopbackReusesTimeWait(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(false);
  });
});
