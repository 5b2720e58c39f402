// CSAT (issue 18, item 6) and Web Push (item 8), spread into es.ts. push.en.ts has exactly these keys.
export const pushEs = {
  'push.on': 'Avisos con el escritorio cerrado: activados',
  'push.off': 'Recibir avisos con el escritorio cerrado',
  'error.notifications_blocked': 'El navegador bloquea las notificaciones de este sitio.',
  'error.push_not_configured': 'Este servidor no tiene claves VAPID: los avisos push están apagados.',
  'error.push_failed': 'No se pudo activar los avisos push en este navegador.',
  'error.invalid_subscription': 'El navegador dio una suscripción push no válida.',
  'csat.title': 'Encuesta de satisfacción (CSAT)',
  'csat.enabled': 'Al cerrar un chat, preguntar al cliente una calificación del 1 al 5',
  'csat.question': 'Pregunta',
  'csat.defaultQuestion':
    '¿Cómo calificarías la atención que recibiste? Responde con un número del 1 (mala) al 5 (excelente).',
  'csat.help':
    'Se envía cuando una persona cierra el chat. Su siguiente mensaje en 24 horas se toma como calificación si es 1–5, "cinco" o ⭐; la IA nunca lo ve.',
  'csat.metrics': 'Satisfacción (CSAT)',
  'csat.answeredOf': 'de 5 · {answered} respuestas de {asked} preguntas',
  'csat.agent': 'Agente',
  'csat.average': 'Promedio',
  'csat.answered': 'Respondidas',
} as const

export type PushKey = keyof typeof pushEs
