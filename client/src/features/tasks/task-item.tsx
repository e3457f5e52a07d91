import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { Task } from '../../lib/trpc';
import { isPendingTask, type TaskEdit } from './use-task-actions';
import { parseTaskFields } from './parse-task-fields';

interface TaskItemProps {
  task: Task;
  /** Being added (not on the server yet) or being saved. */
  pending: boolean;
  onToggle: (task: Task, completed: boolean) => void;
  onEdit: (task: Task, changes: TaskEdit) => Promise<boolean>;
  onDelete: (task: Task) => void;
}

/** One task: checkbox, title and description (as text), edit in place, delete. */
export function TaskItem({ task, pending, onToggle, onEdit, onDelete }: TaskItemProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  const [error, setError] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const returnFocus = useRef(false);
  const saving = useRef(false);
  const notSaved = pending && isPendingTask(task);

  useEffect(() => {
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      editButton.current?.focus();
    }
    if (editing) titleInput.current?.select();
  }, [editing]);

  function startEditing() {
    if (notSaved) return;
    setTitle(task.title);
    setDescription(task.description ?? '');
    setError(null);
    setEditing(true);
  }

  function stop(refocus: boolean) {
    returnFocus.current = refocus;
    setEditing(false);
    setError(null);
  }

  async function save(refocus: boolean) {
    if (saving.current) return;
    const parsed = parseTaskFields(title, description);
    if (!parsed.ok) {
      setError(parsed.message);
      titleInput.current?.focus();
      return;
    }
    const changes = parsed.fields;
    stop(refocus);
    if (changes.title === task.title && changes.description === task.description) return;
    saving.current = true;
    try {
      await onEdit(task, changes);
    } finally {
      saving.current = false;
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      stop(true);
    } else if (
      event.key === 'Enter' &&
      (event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey)
    ) {
      event.preventDefault();
      void save(true);
    }
  }

  function onBlur(event: FocusEvent<HTMLDivElement>) {
    // Leaving the editor (not moving between its own fields) saves, like pressing Enter.
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) void save(false);
  }

  if (editing) {
    return (
      <li className="task editing">
        <div className="task-editor" onKeyDown={onKeyDown} onBlur={onBlur}>
          <label htmlFor={`${id}-title`} className="visually-hidden">
            Title
          </label>
          <input
            id={`${id}-title`}
            ref={titleInput}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            autoFocus
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
          />
          <label htmlFor={`${id}-description`} className="visually-hidden">
            Description
          </label>
          <textarea
            id={`${id}-description`}
            value={description}
            placeholder="Description (optional)"
            rows={2}
            onChange={(e) => setDescription(e.target.value)}
          />
          {error && (
            <p id={`${id}-error`} className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="task-editor-actions">
            <p id={`${id}-help`} className="field-hint">
              Enter saves, Escape cancels.
            </p>
            <button
              type="button"
              className="button"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => stop(true)}
            >
              Cancel
            </button>
            <button type="button" className="button button-primary" onClick={() => void save(true)}>
              Save
            </button>
          </div>
        </div>
      </li>
    );
  }

  return (
    <li
      className={`task${task.completed ? ' completed' : ''}${pending ? ' pending' : ''}`}
      aria-busy={pending || undefined}
    >
      <input
        type="checkbox"
        className="task-toggle"
        checked={task.completed}
        disabled={notSaved}
        onChange={(e) => onToggle(task, e.target.checked)}
        aria-labelledby={`${id}-title`}
        data-task-control="toggle"
      />
      <div className="task-body" onDoubleClick={startEditing}>
        <span id={`${id}-title`} className="task-title">
          {task.title}
        </span>
        {task.description && <p className="task-description">{task.description}</p>}
        {notSaved && <span className="task-status">Saving…</span>}
      </div>
      <div className="task-actions">
        <button
          type="button"
          ref={editButton}
          className="button button-quiet"
          onClick={startEditing}
          disabled={notSaved}
          aria-label={`Edit ${task.title}`}
        >
          Edit
        </button>
        <button
          type="button"
          className="button button-quiet button-danger"
          onClick={() => onDelete(task)}
          disabled={notSaved}
          aria-label={`Delete ${task.title}`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
