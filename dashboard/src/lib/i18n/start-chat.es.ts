// Start a chat (issue 18, item 7), spread into es.ts. start-chat.en.ts has exactly these keys.
export const startChatEs = {
  'startChat.open': 'Nuevo chat',
  'startChat.title': 'Escribir a un número',
  'startChat.number': 'Desde el número',
  'startChat.kind.whatsapp_web': 'WhatsApp Web',
  'startChat.kind.cloud_api': 'Cloud API',
  'startChat.phone': 'Teléfono del cliente (formato internacional)',
  'startChat.phoneHint': 'Escribe el número con código de país, por ejemplo +52 1 55 1234 5678.',
  'startChat.name': 'Nombre (opcional)',
  'startChat.message': 'Mensaje',
  'startChat.send': 'Enviar',
  'startChat.cloudNeedsTemplate':
    'En un número de Cloud API un chat nuevo empieza con una plantilla aprobada: elígela y llena sus datos.',
  'error.invalid_phone':
    'Ese teléfono no está en formato internacional: código de país y número, de 8 a 15 dígitos.',
} as const

export type StartChatKey = keyof typeof startChatEs
