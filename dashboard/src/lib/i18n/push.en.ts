import type { PushKey } from './push.es.ts'

export const pushEn: Record<PushKey, string> = {
  'push.on': 'Alerts with the desk closed: on',
  'push.off': 'Get alerts with the desk closed',
  'error.notifications_blocked': 'The browser blocks notifications for this site.',
  'error.push_not_configured': 'This server has no VAPID keys: push alerts are off.',
  'error.push_failed': 'Push alerts could not be turned on in this browser.',
  'error.invalid_subscription': 'The browser gave an invalid push subscription.',
  'csat.title': 'Satisfaction survey (CSAT)',
  'csat.enabled': 'When a chat is closed, ask the customer for a 1–5 rating',
  'csat.question': 'Question',
  'csat.defaultQuestion':
    'How would you rate the help you got? Reply with a number from 1 (bad) to 5 (excellent).',
  'csat.help':
    'Sent when a person closes the chat. Their next message within 24 hours counts as the rating if it is 1–5, "five" or ⭐; the AI never sees it.',
  'csat.metrics': 'Satisfaction (CSAT)',
  'csat.answeredOf': 'out of 5 · {answered} answers to {asked} questions',
  'csat.agent': 'Agent',
  'csat.average': 'Average',
  'csat.answered': 'Answered',
}
