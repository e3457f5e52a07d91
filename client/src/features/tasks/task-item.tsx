import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { useOnline } from '../../lib/offline/online-status';
import type { Task } from '../../lib/trpc';
import { dueLabel, isOverdue } from './due-date';
import { isPendingTask, type EditResult, type TaskEdit } from './use-task-actions';
import { parseTaskFields } from './parse-task-fields';
import type { SortableRow } from './sortable-task-list';

interface TaskItemProps {
  task: Task;
  /** Being added (not on the server yet) or being saved. */
  pending: boolean;
  onToggle: (task: Task, completed: boolean) => void;
  onEdit: (task: Task, changes: TaskEdit) => Promise<EditResult>;
  onDelete: (task: Task) => void;
  /** The person's date (`YYYY-MM-DD`), to tell overdue tasks. */
  today: string;
  /** In a list that can be reordered (D37): the row's move handle, node and shortcuts. */
  sortable?: SortableRow | undefined;
}

/** Focuses `target` when the page shows it, else `fallback` (a closed phone menu hides Edit). */
function focusShown(target: HTMLElement | null, fallback: HTMLElement | null) {
  const shown = target && (typeof target.checkVisibility !== 'function' || target.checkVisibility());
  (shown ? target : fallback)?.focus();
}

/**
 * One task: a 44 px tick target, title and description (as text), edit in place, delete. Edit and
 * Delete sit in the row on desktop (shown on hover or focus) and behind a "More actions" button on
 * phones; the CSS decides which, over the same elements.
 */
export function TaskItem({ task, pending, onToggle, onEdit, onDelete, today, sortable }: TaskItemProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  const [dueOn, setDueOn] = useState(task.dueOn ?? '');
  const [error, setError] = useState<string | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  /**
   * The save met a newer version (shown as `task` now): the editor stays open with the person's
   * draft and asks "Keep mine" (save it on top of the latest version) or "Use theirs".
   */
  const [conflict, setConflict] = useState(false);
  const keepMineButton = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const returnFocus = useRef(false);
  const saving = useRef(false);
  /**
   * The version the draft was started from. A change made elsewhere while the editor is open
   * arrives (live updates, a refetch) and shows as `task`, but the save still names this version,
   * so it meets a CONFLICT and asks, instead of silently writing over the other change.
   */
  const baseVersion = useRef(task.version);
  /** What the editor opened with: a draft equal to it is no edit, whatever changed elsewhere. */
  const base = useRef<Pick<Task, 'title' | 'description' | 'dueOn'>>(task);
  const notSaved = pending && isPendingTask(task);
  const online = useOnline();

  useEffect(() => {
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      focusShown(editButton.current, menuButton.current);
    }
    if (editing && conflict) keepMineButton.current?.focus();
    else if (editing) titleInput.current?.select();
  }, [editing, conflict]);

  function startEditing() {
    if (notSaved) return;
    setTitle(task.title);
    setDescription(task.description ?? '');
    setDueOn(task.dueOn ?? '');
    baseVersion.current = task.version;
    base.current = task;
    setError(null);
    setMenuOpen(false);
    setEditing(true);
  }

  // Opening the phone menu moves focus to its first action; Escape or leaving the actions closes it.
  useEffect(() => {
    if (menuOpen) editButton.current?.focus();
  }, [menuOpen]);

  function onActionsKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape' && menuOpen) {
      event.preventDefault();
      setMenuOpen(false);
      menuButton.current?.focus();
    }
  }

  function onActionsBlur(event: FocusEvent<HTMLDivElement>) {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setMenuOpen(false);
  }

  function stop(refocus: boolean) {
    returnFocus.current = refocus;
    setEditing(false);
    setError(null);
    setConflict(false);
  }

  async function save(refocus: boolean) {
    if (saving.current) return;
    const parsed = await parseTaskFields(title, description, dueOn);
    if (!parsed.ok) {
      setError(parsed.message);
      titleInput.current?.focus();
      return;
    }
    const changes = parsed.fields;
    stop(refocus);
    // Unchanged since the editor opened (or, after a conflict, since the latest version showed).
    const from = conflict ? task : base.current;
    if (
      changes.title === from.title &&
      changes.description === from.description &&
      changes.dueOn === from.dueOn
    ) {
      return;
    }
    saving.current = true;
    try {
      // After a conflict the base is the latest version: saving now is "Keep mine".
      const result = await onEdit({ ...task, version: baseVersion.current }, changes);
      if (result.status === 'conflict') {
        baseVersion.current = result.latest.version;
        setTitle(changes.title);
        setDescription(changes.description ?? '');
        setConflict(true);
        setEditing(true);
      }
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
    // Leaving the editor (not moving between its own fields) saves, like pressing Enter; during a
    // conflict only an explicit choice does.
    if (!conflict && !event.currentTarget.contains(event.relatedTarget as Node | null)) void save(false);
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
          <label className="due-field">
            Due date
            <input type="date" value={dueOn} onChange={(e) => setDueOn(e.target.value)} />
          </label>
          {error && (
            <p id={`${id}-error`} className="field-error" role="alert">
              {error}
            </p>
          )}
          {conflict && (
            <div className="task-conflict" role="alert" aria-labelledby={`${id}-conflict`}>
              <p id={`${id}-conflict`}>
                This task was changed somewhere else while you edited it. It now reads “{task.title}”
                {task.description ? ` (${task.description})` : ''}. Your text is kept above.
              </p>
              <div className="task-conflict-actions">
                <button
                  type="button"
                  ref={keepMineButton}
                  className="button button-primary"
                  onClick={() => void save(true)}
                >
                  Keep mine
                </button>
                <button type="button" className="button" onClick={() => stop(true)}>
                  Use theirs
                </button>
              </div>
            </div>
          )}
          <div className="task-editor-actions">
            <p id={`${id}-help`} className="field-hint">
              {conflict ? 'Enter keeps yours, Escape uses theirs.' : 'Enter saves, Escape cancels.'}
            </p>
            {!conflict && (
              <>
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
              </>
            )}
          </div>
        </div>
      </li>
    );
  }

  return (
    <li
      data-task-id={task.id}
      ref={sortable?.ref}
      style={sortable?.style}
      onKeyDown={sortable?.onKeyDown}
      className={`task${task.completed ? ' completed' : ''}${pending ? ' pending' : ''}${sortable?.dragging ? ' dragging' : ''}`}
      aria-busy={pending || undefined}
    >
      <label className="task-check">
        <input
          type="checkbox"
          className="task-toggle"
          checked={task.completed}
          disabled={notSaved}
          onChange={(e) => onToggle(task, e.target.checked)}
          aria-labelledby={`${id}-title`}
          data-task-control="toggle"
        />
      </label>
      <div className="task-body" onDoubleClick={startEditing}>
        <span id={`${id}-title`} className="task-title">
          {task.title}
        </span>
        {task.description && <p className="task-description">{task.description}</p>}
        {task.dueOn &&
          (isOverdue(task, today) ? (
            // Words, not only colour: "Overdue" is read and seen.
            <span className="task-due overdue">Overdue: was due {dueLabel(task.dueOn, today)}</span>
          ) : (
            <span className="task-due">Due {dueLabel(task.dueOn, today)}</span>
          ))}
        {notSaved && <span className="task-status">{online ? 'Saving…' : 'Waiting for a connection'}</span>}
      </div>
      <div
        className={`task-actions${menuOpen ? ' open' : ''}`}
        onKeyDown={onActionsKeyDown}
        onBlur={onActionsBlur}
      >
        <button
          type="button"
          ref={menuButton}
          className="button button-quiet task-menu-toggle"
          onClick={() => setMenuOpen(!menuOpen)}
          disabled={notSaved}
          aria-expanded={menuOpen}
          aria-controls={`${id}-actions`}
          aria-label={`More actions for ${task.title}`}
        >
          <span aria-hidden="true">⋯</span>
        </button>
        <div id={`${id}-actions`} className="task-action-list">
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
            onClick={() => {
              setMenuOpen(false);
              onDelete(task);
            }}
            disabled={notSaved}
            aria-label={`Delete ${task.title}`}
          >
            Delete
          </button>
        </div>
      </div>
      {sortable?.handle}
    </li>
  );
}
