import { describe, expect, it } from 'vitest';
import { cpuIdentity } from '../../src/results/fingerprint.js';

describe('the CPU’s generation from /proc/cpuinfo', () => {
  it('x86: vendor, family, model and stepping of the first CPU, not the model name', () => {
    const cpuinfo = [
      'processor\t: 0',
      'vendor_id\t: AuthenticAMD',
      'cpu family\t: 26',
      'model\t\t: 2',
      'model name\t: AMD EPYC',
      'stepping\t: 1',
      'flags\t\t: fpu vme',
      '',
      'processor\t: 1',
      'vendor_id\t: AuthenticAMD',
      'cpu family\t: 25',
      'model\t\t: 1',
      '',
    ].join('\n');
    expect(cpuIdentity(cpuinfo)).toBe('vendor_id AuthenticAMD · cpu family 26 · model 2 · stepping 1');
  });
  it('Arm: implementer, architecture, variant, part and revision', () => {
    const cpuinfo =
      'processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n';
    expect(cpuIdentity(cpuinfo)).toBe('CPU implementer 0x41 · CPU architecture 8 · CPU variant 0x3 · CPU part 0xd0c · CPU revision 1');
  });
  it('nothing it knows: null', () => {
    expect(cpuIdentity('')).toBeNull();
    expect(cpuIdentity('processor\t: 0\nmodel name\t: Some CPU\n')).toBeNull();
  });
});
