import { useKeptList, useServices } from '../lib/services-context';

/**
 * What became of changes kept on the device and sent after a reload (D38), when the server refused
 * one: no page was waiting for their answer, so they are said here, until dismissed.
 */
export function KeptListNotes() {
  const { keptList } = useServices();
  const { notes } = useKeptList();
  if (notes.length === 0) return null;
  return (
    <div className="notices">
      {notes.map((note, index) => (
        <div key={`${index}-${note}`} className="notice notice-error" role="alert">
          <span className="notice-text">{note}</span>
          <button
            type="button"
            className="button button-quiet notice-dismiss"
            onClick={() => keptList.dismissNote(index)}
            aria-label="Dismiss message"
          >
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
