"""units.py - what a guest's raw "tsc" count means under each accelerator.

The guest only knows it read rdtsc. Under QEMU -icount shift=0,sleep=off rdtsc
advances one per guest instruction; under KVM it counts real cycles; under
plain TCG it is emulated time scaled to a nominal TSC frequency.
"""

ACCELS = ("icount", "tcg", "kvm")

TSC_UNIT = {"icount": "instructions", "kvm": "cycles", "tcg": "tsc_ticks"}


def map_unit(guest_unit, accel):
    """Return the unit a result has on the host for a guest unit and accel.

    Only "tsc" depends on the accelerator; other units (e.g. "ns" from the
    host baseline) pass through unchanged.
    """
    if accel not in TSC_UNIT:
        raise ValueError(f"unknown accelerator {accel!r} (valid: {', '.join(ACCELS)})")
    return TSC_UNIT[accel] if guest_unit == "tsc" else guest_unit
