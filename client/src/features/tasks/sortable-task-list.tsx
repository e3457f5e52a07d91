/**
 * The All / Active / Completed lists in their manual order (decisions D37), reordered by drag
 * (a "Move" handle per row: mouse, or touch after a short press so scrolling never drags) or by
 * keyboard (Space or Enter on the handle picks the task up, the arrows move it, Space or Enter
 * drops it, Escape cancels; Alt+Up and Alt+Down move the focused row by one). Built on
 * `@dnd-kit/core` and `@dnd-kit/sortable` (sensors, keyboard coordinates, screen-reader
 * announcements), and loaded on demand: the first load does not carry it.
 */
import {
  DndContext,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type ScreenReaderInstructions,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { generateKeyBetween } from 'fractional-indexing';
import { useRef, type CSSProperties, type KeyboardEvent, type ReactNode, type Ref } from 'react';
import type { TaskStatus } from '../../../../shared/task-rules';
import type { Task } from '../../lib/trpc';
import { quote } from './task-errors';
import { isPendingTask, type TaskMoveRequest } from './use-task-actions';

/** What a row needs to take part: its node, its moving style, its handle and its shortcuts. */
export interface SortableRow {
  ref: Ref<HTMLLIElement>;
  style: CSSProperties;
  dragging: boolean;
  handle: ReactNode;
  onKeyDown: (event: KeyboardEvent<HTMLLIElement>) => void;
}

export interface SortableTaskListProps {
  tasks: Task[];
  status: TaskStatus;
  /** More tasks below the loaded ones: a task moved below the last loaded one is not checked there. */
  hasMore: boolean;
  listRef: Ref<HTMLUListElement>;
  label: string;
  onMove: (move: TaskMoveRequest) => void;
  /** Says something in the page's polite live region (for Alt+arrow moves). */
  announce: (text: string) => void;
  renderItem: (task: Task, row: SortableRow | undefined) => ReactNode;
}

const instructions: ScreenReaderInstructions = {
  draggable:
    'To move a task, press Space or Enter on its Move button, then the up and down arrows; Space or Enter drops it, Escape cancels. Alt with the up or down arrow moves the focused task by one.',
};

/** An optimistic key between two loaded neighbours; null when none fits (the server's comes). */
function keyBetween(after: Task | null, before: Task | null | undefined): string | null {
  try {
    return generateKeyBetween(after?.position || null, before?.position || null);
  } catch {
    return null;
  }
}

export default function SortableTaskList({
  tasks,
  status,
  hasMore,
  listRef,
  label,
  onMove,
  announce,
  renderItem,
}: SortableTaskListProps) {
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 4 } }),
    // A press of a quarter second before moving: a swipe that starts on a handle still scrolls.
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  const indexOf = (id: UniqueIdentifier) => tasks.findIndex((t) => t.id === id);
  const titleOf = (id: UniqueIdentifier) => quote(tasks[indexOf(id)]?.title ?? 'The task');
  const place = (index: number) => `position ${index + 1} of ${tasks.length}`;

  /** Moves the task to `to` (its index once moved); says nothing, returns whether it moved. */
  function moveTo(task: Task, to: number): boolean {
    const from = indexOf(task.id);
    if (from === -1 || to === from || to < 0 || to >= tasks.length) return false;
    const rest = tasks.filter((t) => t.id !== task.id);
    const after = rest[to - 1] ?? null;
    const before = to < rest.length ? (rest[to] ?? null) : hasMore ? undefined : null;
    onMove({ task, after, before, status, position: keyBetween(after, before) });
    return true;
  }

  function onDragEnd({ active, over }: DragEndEvent) {
    const task = tasks[indexOf(active.id)];
    if (!task || !over) return;
    moveTo(task, indexOf(over.id));
  }

  /** Whether the task picked up has left its place yet (until then, "over" would say nothing new). */
  const left = useRef(false);
  const announcements: Announcements = {
    onDragStart: ({ active }) => {
      left.current = false;
      return `Picked up ${titleOf(active.id)}, ${place(indexOf(active.id))}. Use the arrow keys to move it, Space to drop it, Escape to cancel.`;
    },
    onDragOver: ({ active, over }) => {
      // Not over its own place at the start: that would replace the pick-up words at once.
      if (!over || (over.id === active.id && !left.current)) return undefined;
      left.current = true;
      return `${titleOf(active.id)} is over ${place(indexOf(over.id))}.`;
    },
    onDragEnd: ({ active, over }) =>
      over
        ? `Moved ${titleOf(active.id)} to ${place(indexOf(over.id))}.`
        : `${titleOf(active.id)} was dropped.`,
    onDragCancel: ({ active }) =>
      `Move cancelled. ${titleOf(active.id)} stays at ${place(indexOf(active.id))}.`,
  };

  /** Alt+Up / Alt+Down on a row: one place up or down, focus stays where it was. */
  function onRowKeyDown(task: Task, event: KeyboardEvent<HTMLLIElement>) {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    if (isPendingTask(task)) return;
    const from = indexOf(task.id);
    const to = from + (event.key === 'ArrowUp' ? -1 : 1);
    if (to < 0) return announce(`${quote(task.title)} is already at the top.`);
    if (to >= tasks.length) {
      return announce(
        hasMore
          ? `Load more tasks to move ${quote(task.title)} further down.`
          : `${quote(task.title)} is already at the bottom.`,
      );
    }
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (moveTo(task, to)) {
      announce(`Moved ${quote(task.title)} to ${place(to)}.`);
      // The row's element moves in the page; keep the focus on the control that had it.
      requestAnimationFrame(() => focused?.focus());
    }
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{ announcements, screenReaderInstructions: instructions }}
    >
      <SortableContext items={tasks.map((t) => t.id)} strategy={verticalListSortingStrategy}>
        <ul className="task-list" ref={listRef} aria-label={label}>
          {tasks.map((task) => (
            <SortableTask key={task.id} task={task} onKeyDown={onRowKeyDown} renderItem={renderItem} />
          ))}
        </ul>
      </SortableContext>
    </DndContext>
  );
}

function SortableTask({
  task,
  onKeyDown,
  renderItem,
}: {
  task: Task;
  onKeyDown: (task: Task, event: KeyboardEvent<HTMLLIElement>) => void;
  renderItem: (task: Task, row: SortableRow) => ReactNode;
}) {
  const pending = isPendingTask(task);
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({ id: task.id, disabled: pending });
  const handle = (
    <button
      type="button"
      ref={setActivatorNodeRef}
      className="button button-quiet task-drag-handle"
      {...attributes}
      {...listeners}
      aria-label={`Move ${task.title}`}
      disabled={pending}
    >
      <span aria-hidden="true">⠿</span>
    </button>
  );
  return renderItem(task, {
    ref: setNodeRef,
    // Up and down only: the row never drifts sideways out of the list.
    style: { transform: CSS.Translate.toString(transform && { ...transform, x: 0 }), transition },
    dragging: isDragging,
    handle,
    onKeyDown: (event) => onKeyDown(task, event),
  });
}
