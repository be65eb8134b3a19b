import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { createRoom } from '../../store/roomsStore';
import { showView } from '../../store/uiStore';
import { TID } from '../../testids';
import { useAction } from '../../util/useAction';

/** New room: name and topic (both end-to-end encrypted) and the history policy. */
export function CreateRoomDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [persist, setPersist] = useState(true);
  const [history, setHistory] = useState<'all' | 'since-join'>('all');
  const action = useAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() === '') return;
    void action
      .run(() => createRoom({ name: name.trim(), topic: topic.trim(), persist, history }))
      .then((ok) => {
        if (!ok) return;
        showView('rooms');
        onClose();
      });
  }

  return (
    <Dialog title="Create a room" onClose={onClose} testId={TID.createRoomDialog}>
      <form className="form" onSubmit={submit}>
        <label>
          Name
          <input
            autoFocus
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid={TID.createRoomName}
          />
        </label>
        <label>
          Topic (optional)
          <input
            value={topic}
            maxLength={1000}
            onChange={(e) => setTopic(e.target.value)}
            data-testid={TID.createRoomTopic}
          />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={persist}
            onChange={(e) => setPersist(e.target.checked)}
            data-testid={TID.createRoomPersist}
          />
          Keep history on the node (encrypted), so members can read it later
        </label>
        <label>
          New members see
          <select
            value={history}
            onChange={(e) => setHistory(e.target.value === 'since-join' ? 'since-join' : 'all')}
            data-testid={TID.createRoomHistory}
          >
            <option value="all">All earlier messages</option>
            <option value="since-join">Only messages from when they join</option>
          </select>
        </label>
        <p className="note">The name and topic are encrypted: the node never sees them.</p>
        <ErrorNotice error={action.error} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="primary"
            disabled={action.busy || name.trim() === ''}
            data-testid={TID.createRoomSubmit}
          >
            {action.busy ? 'Creating…' : 'Create room'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
