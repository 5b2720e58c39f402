import type { CannedKey } from './canned.es.ts'

export const cannedEn: Record<CannedKey, string> = {
  'nav.replies': 'Replies',
  'canned.title': 'Canned replies',
  'canned.intro':
    'Type / in a chat to insert one. Variables are filled when inserted: {vars}. An unknown variable, or one without a value (a customer without a name), stays visible so you fix it before sending.',
  'canned.shared': 'Shared with the team',
  'canned.sharedReadOnly': 'Only an admin changes these.',
  'canned.mine': 'My replies',
  'canned.add': 'Add',
  'canned.shortcut': 'Shortcut',
  'canned.body': 'Text',
  'canned.save': 'Save',
  'canned.delete': 'Delete',
  'canned.confirmDelete': 'Delete the reply /{shortcut}?',
  'canned.empty': 'None yet.',
  'canned.saved': 'Saved',
  'error.shortcut_taken': 'That shortcut already exists here: choose another.',
}
