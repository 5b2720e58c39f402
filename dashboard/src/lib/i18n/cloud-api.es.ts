// Texts of the WhatsApp Cloud API screens (Connection) and of the 24-hour window on the desk.
export const cloudApiEs = {
  'cloud.add': 'Agregar un número de WhatsApp Cloud API',
  'cloud.addHelp':
    'La API oficial de Meta: sin teléfono ni contenedor. Los datos están en el App Dashboard de Meta → WhatsApp → Configuración de la API.',
  'cloud.name': 'Nombre',
  'cloud.phoneNumberId': 'Identificador del número de teléfono',
  'cloud.wabaId': 'Identificador de la cuenta de WhatsApp Business',
  'cloud.accessToken': 'Token de acceso (usuario del sistema)',
  'cloud.appSecret': 'Clave secreta de la app',
  'cloud.verifyToken': 'Token de verificación del webhook',
  'cloud.secretsKept': 'Deja vacío un secreto para conservar el guardado.',
  'cloud.save': 'Guardar número',
  'cloud.kind': 'WhatsApp Cloud API',
  'cloud.ids': 'Número {number} · cuenta {waba}',
  'cloud.verified': '{name} · calidad {quality}',
  'cloud.test': 'Probar',
  'cloud.tested': 'Meta responde: {name} ({phone}), calidad {quality}',
  'cloud.lastError': 'Último error: {error}',
  'window.left': 'Ventana de 24 h: quedan {hours} h {minutes} min para responder con texto libre',
  'window.closed':
    'Pasaron más de 24 horas desde el último mensaje del cliente: WhatsApp solo entrega plantillas aprobadas.',
  'window.template': 'Plantilla',
  'window.parameter': 'Parámetro {n}',
  'window.preview': 'El cliente leerá:',
  'window.send': 'Enviar plantilla',
  'window.loadTemplates': 'Elegir una plantilla',
  'error.outside_service_window':
    'Pasaron más de 24 horas desde el último mensaje del cliente: envía una plantilla aprobada.',
  'error.phone_number_id_taken': 'Otro canal ya usa ese identificador de número.',
  'error.graph_api_refused': 'Meta rechazó la llamada: revisa el token de acceso y los identificadores.',
  'error.functions_unreachable': 'No se pudo contactar al servidor de funciones.',
  'error.templates_need_cloud_api': 'Las plantillas solo existen en números de WhatsApp Cloud API.',
} as const
