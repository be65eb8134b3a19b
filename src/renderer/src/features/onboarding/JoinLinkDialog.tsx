import { Dialog } from '../../components/Dialog';
import { clearJoinLink } from '../../store/appStore';
import { JoinFlow } from './JoinFlow';

/** A `unibus://join` link opened while already connected: the same flow, in a dialog. */
export function JoinLinkDialog({ link }: { link: string }) {
  return (
    <Dialog title="Join another node" onClose={clearJoinLink}>
      <JoinFlow key={link} initialLink={link} onBack={clearJoinLink} />
    </Dialog>
  );
}
