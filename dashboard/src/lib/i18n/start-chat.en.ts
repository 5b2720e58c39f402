import type { StartChatKey } from './start-chat.es.ts'

export const startChatEn: Record<StartChatKey, string> = {
  'startChat.open': 'New chat',
  'startChat.title': 'Write to a number',
  'startChat.number': 'From the number',
  'startChat.kind.whatsapp_web': 'WhatsApp Web',
  'startChat.kind.cloud_api': 'Cloud API',
  'startChat.phone': "Customer's phone (international format)",
  'startChat.phoneHint': 'Type the number with its country code, for example +52 1 55 1234 5678.',
  'startChat.name': 'Name (optional)',
  'startChat.message': 'Message',
  'startChat.send': 'Send',
  'startChat.cloudNeedsTemplate':
    'On a Cloud API number a new chat starts with an approved template: choose it and fill in its parameters.',
  'error.invalid_phone':
    'That phone is not in international format: country code and number, 8 to 15 digits.',
}
