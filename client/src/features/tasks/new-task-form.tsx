import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { TASK_TITLE_MAX } from '../../../../shared/task-rules';
import type { TaskEdit } from './use-task-actions';
import { parseTaskFields } from './parse-task-fields';

/** Title (Enter adds) and an optional description; focus stays here for the next task. */
export function NewTaskForm({ onAdd }: { onAdd: (task: TaskEdit) => Promise<boolean> }) {
  const id = useId();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [showDescription, setShowDescription] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleRef = useRef<HTMLInputElement>(null);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const parsed = await parseTaskFields(title, description, dueOn);
    if (!parsed.ok) {
      setError(parsed.message);
      titleRef.current?.focus();
      return;
    }
    setError(null);
    const sent = { title, description, dueOn };
    // Clear at once (the task shows optimistically); put the text back if the server refuses.
    setTitle('');
    setDescription('');
    setDueOn('');
    titleRef.current?.focus();
    const ok = await onAdd(parsed.fields);
    if (!ok) {
      setTitle((current) => current || sent.title);
      setDescription((current) => current || sent.description);
      setDueOn((current) => current || sent.dueOn);
      if (sent.description) setShowDescription(true);
    }
  }

  /** Closes the description field again; what was typed in it is dropped, as the name says. */
  function removeDescription() {
    setDescription('');
    setShowDescription(false);
    titleRef.current?.focus();
  }

  function onDescriptionKey(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  }

  return (
    <form className="new-task" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={`${id}-title`} className="visually-hidden">
        New task
      </label>
      <div className="new-task-row">
        <input
          id={`${id}-title`}
          ref={titleRef}
          className="new-task-title"
          placeholder="What needs to be done?"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          // A hard stop for pasted novels; below it, the shared rule explains the real limit.
          maxLength={TASK_TITLE_MAX * 2}
          autoComplete="off"
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button type="submit" className="button button-primary">
          Add
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="new-task-extras">
        <label className="due-field">
          Due date (optional)
          <input type="date" value={dueOn} onChange={(e) => setDueOn(e.target.value)} />
        </label>
        {!showDescription && (
          <button type="button" className="button button-link" onClick={() => setShowDescription(true)}>
            Add a description
          </button>
        )}
      </div>
      {showDescription && (
        <div className="field">
          <label htmlFor={`${id}-description`}>Description (optional)</label>
          <textarea
            id={`${id}-description`}
            value={description}
            rows={3}
            onChange={(e) => setDescription(e.target.value)}
            onKeyDown={onDescriptionKey}
            aria-describedby={`${id}-description-hint`}
          />
          <div className="field-hint-row">
            <p id={`${id}-description-hint`} className="field-hint">
              Press Ctrl+Enter to add the task.
            </p>
            <button type="button" className="button button-link" onClick={removeDescription}>
              Remove description
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
