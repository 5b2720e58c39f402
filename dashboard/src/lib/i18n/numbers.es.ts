// Numbers (issue 17 item 3, ADR 113), spread into es.ts. numbers.en.ts has exactly these keys.
export const numbersEs = {
  'numbers.add': 'Agregar un número de WhatsApp Web',
  'numbers.addHelp':
    'Cada número es un contenedor del conector en una máquina tuya. Al agregarlo verás el comando que lo inicia; luego el QR aparece aquí.',
  'numbers.name': 'Nombre del número',
  'numbers.namePlaceholder': 'Ventas',
  'numbers.addSubmit': 'Agregar número',
  'numbers.rename': 'Renombrar',
  'numbers.save': 'Guardar',
  'numbers.cancel': 'Cancelar',
  'numbers.newKey': 'Nueva clave del conector',
  'numbers.newKeyConfirm':
    '¿Emitir una clave nueva para el conector de este número? La anterior sigue valiendo hasta que la revoques.',
  'numbers.remove': 'Quitar',
  'numbers.removeConfirm':
    '¿Quitar «{name}»? Sus chats siguen en la bandeja, pero ya no se podrá responder por este número y su conector pierde el acceso.',
  'numbers.cancelQueuedConfirm': '¿Cancelarlas y quitar el número?',
  'numbers.setupTitle': 'Inicia el conector de este número',
  'numbers.setupHelp':
    'Ejecuta esto en la máquina que mantendrá WhatsApp abierto (un contenedor por número). La clave se muestra solo ahora: cópiala.',
  'numbers.compose': 'O con Docker Compose',
  'numbers.setupQr': 'En cuanto el contenedor arranque, su QR aparece en esta tarjeta.',
  'numbers.setupDone': 'Listo, ocultar',
  'numbers.filter': 'Número',
  'numbers.all': 'Todos los números',
  'numbers.removed': '{name} (quitado)',
  'error.channel_has_queued_messages': 'Hay respuestas esperando salir por este número.',
  'error.channel_sending': 'Se está enviando una respuesta por este número; inténtalo en un minuto.',
  'error.channel_removed': 'El número de este chat fue quitado: no se puede enviar por él.',
} as const

export type NumbersKey = keyof typeof numbersEs
