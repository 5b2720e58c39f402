import type { cloudApiEs } from './cloud-api.es.ts'

export const cloudApiEn: Record<keyof typeof cloudApiEs, string> = {
  'cloud.add': 'Add a WhatsApp Cloud API number',
  'cloud.addHelp':
    "Meta's official API: no phone and no container. The values are in Meta's App Dashboard → WhatsApp → API Setup.",
  'cloud.name': 'Name',
  'cloud.phoneNumberId': 'Phone number ID',
  'cloud.wabaId': 'WhatsApp Business Account ID',
  'cloud.accessToken': 'Access token (system user)',
  'cloud.appSecret': 'App secret',
  'cloud.verifyToken': 'Webhook verify token',
  'cloud.secretsKept': 'Leave a secret empty to keep the stored one.',
  'cloud.save': 'Save number',
  'cloud.kind': 'WhatsApp Cloud API',
  'cloud.ids': 'Number {number} · account {waba}',
  'cloud.verified': '{name} · quality {quality}',
  'cloud.test': 'Test',
  'cloud.tested': 'Meta answers: {name} ({phone}), quality {quality}',
  'cloud.lastError': 'Last error: {error}',
  'window.left': '24-hour window: {hours} h {minutes} min left to answer with free text',
  'window.closed':
    "More than 24 hours since the customer's last message: WhatsApp delivers only approved templates.",
  'window.template': 'Template',
  'window.parameter': 'Parameter {n}',
  'window.preview': 'The customer will read:',
  'window.send': 'Send template',
  'window.loadTemplates': 'Choose a template',
  'error.outside_service_window':
    "More than 24 hours since the customer's last message: send an approved template.",
  'error.phone_number_id_taken': 'Another channel already uses that phone number ID.',
  'error.graph_api_refused': 'Meta refused the call: check the access token and the IDs.',
  'error.functions_unreachable': 'The functions server could not be reached.',
  'error.templates_need_cloud_api': 'Templates exist only on WhatsApp Cloud API numbers.',
}
