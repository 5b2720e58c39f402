import type { dataRequestsEs } from './data-requests.es.ts'

export const dataRequestsEn: Record<keyof typeof dataRequestsEs, string> = {
  'nav.data': 'Data',
  'data.title': 'Data requests',
  'data.exportTitle': 'Export conversations',
  'data.exportHelp':
    'Every message of the period, with transcripts and links to the files (valid for 7 days). Internal notes are marked.',
  'data.from': 'From',
  'data.to': 'To (inclusive)',
  'data.format': 'Format',
  'data.export': 'Export',
  'data.exported': '{count} messages exported.',
  'data.eraseTitle': "Erase a customer's data",
  'data.eraseHelp':
    'Erases all their conversations (same phone) with messages, files and AI runs. It cannot be undone; the audit log keeps only how much was erased.',
  'data.search': "Customer's phone or name",
  'data.find': 'Find',
  'data.noCustomers': 'No customer matches.',
  'data.erase': 'Erase',
  'data.confirm': 'Type the phone {phone} to confirm',
  'data.confirmErase': 'Erase for good',
  'data.erased': 'Erased: {conversations} conversations, {messages} messages, {files} files.',
}
