import { useState } from 'react';
import { KeepListField } from '../../lib/forms/keep-list-field';
import { useKeptList, useServices } from '../../lib/services-context';

/** "This device": turn keeping the list for offline use on or off (off wipes what was kept; D38). */
export function KeepListSection() {
  const { keptList } = useServices();
  const { chosen } = useKeptList();
  const [saving, setSaving] = useState(false);

  async function change(on: boolean) {
    setSaving(true);
    try {
      await keptList.choose(on);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card narrow account-section" aria-labelledby="device-title">
      <h2 id="device-title">This device</h2>
      <KeepListField checked={chosen} onChange={(on) => void change(on)} disabled={saving} />
      <p className="visually-hidden" role="status">
        {saving
          ? ''
          : chosen
            ? 'Your list is kept on this device.'
            : 'Nothing of yours is kept on this device.'}
      </p>
    </section>
  );
}
