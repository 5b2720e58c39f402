import type { NumbersKey } from './numbers.es.ts'

export const numbersEn: Record<NumbersKey, string> = {
  'numbers.add': 'Add a WhatsApp Web number',
  'numbers.addHelp':
    'Each number is one connector container on a machine of yours. Once added you see the command that starts it; then its QR appears here.',
  'numbers.name': 'Name of the number',
  'numbers.namePlaceholder': 'Sales',
  'numbers.addSubmit': 'Add number',
  'numbers.rename': 'Rename',
  'numbers.save': 'Save',
  'numbers.cancel': 'Cancel',
  'numbers.newKey': 'New connector key',
  'numbers.newKeyConfirm':
    "Issue a new key for this number's connector? The old one keeps working until you revoke it.",
  'numbers.remove': 'Remove',
  'numbers.removeConfirm':
    'Remove “{name}”? Its chats stay in the inbox, but nobody can reply on this number any more and its connector loses access.',
  'numbers.cancelQueuedConfirm': 'Cancel them and remove the number?',
  'numbers.setupTitle': "Start this number's connector",
  'numbers.setupHelp':
    'Run this on the machine that will keep WhatsApp open (one container per number). The key is shown only now: copy it.',
  'numbers.compose': 'Or with Docker Compose',
  'numbers.setupQr': 'As soon as the container starts, its QR appears in this card.',
  'numbers.setupDone': 'Done, hide',
  'numbers.filter': 'Number',
  'numbers.all': 'All numbers',
  'numbers.removed': '{name} (removed)',
  'error.channel_has_queued_messages': 'Replies are waiting to be sent on this number.',
  'error.channel_sending': 'A reply is being sent on this number; try again in a minute.',
  'error.channel_removed': "This chat's number was removed: nothing can be sent on it.",
}
