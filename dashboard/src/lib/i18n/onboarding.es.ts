// A new store's first hour (sign-up, the business, the first-run checklist), spread into es.ts.
// Spanish is the source: onboarding.en.ts must have exactly these keys.
export const onboardingEs = {
  'signup.title': 'Crea tu cuenta',
  'signup.submit': 'Crear cuenta',
  'signup.haveInvitation': '¿Tienes una invitación?',
  'signup.create': 'Registra tu negocio',
  'signup.inviteOnly':
    'En esta instalación solo se entra por invitación: pide a un administrador de tu tienda el enlace de invitación.',
  'signup.confirmEmail':
    'Te enviamos un enlace a {email}. Confírmalo y después entra con tu correo y contraseña.',
  'welcome.title': 'Crea tu negocio',
  'welcome.lead': 'Entraste como {email}. Falta tu negocio: serás su administrador.',
  'welcome.name': 'Nombre del negocio',
  'welcome.language': 'Idioma de la IA y del equipo',
  'welcome.timezone': 'Zona horaria',
  'welcome.submit': 'Crear negocio',
  'nav.setup': 'Primeros pasos',
  'setup.title': 'Primeros pasos de tu tienda',
  'setup.left': 'Faltan {count} pasos.',
  'setup.allDone': 'Todo listo: tu tienda está funcionando.',
  'setup.done': 'Hecho',
  'setup.notDone': 'Pendiente',
  'setup.whatsapp': 'Vincula WhatsApp (QR o Cloud API)',
  'setup.whatsapp.go': 'Conexión',
  'setup.ai': 'Elige la IA (clave de OpenAI o tu propio coordinador)',
  'setup.ai.go': 'Ajustes',
  'setup.shopify': 'Conecta tu tienda Shopify',
  'setup.shopify.go': 'Ajustes',
  'setup.team': 'Invita a tus agentes',
  'setup.team.go': 'Equipo',
  'setup.test': 'Envía un mensaje de prueba',
  'setup.test.go': 'Bandeja',
  'error.invalid_business_name': 'El nombre del negocio debe tener entre 1 y 200 caracteres.',
  'error.invalid_language': 'Elige español o inglés.',
  'error.invalid_timezone': 'Esa zona horaria no existe.',
  'error.signup_closed': 'Esta instalación solo admite invitaciones.',
  'error.rate_limited': 'Demasiados intentos: inténtalo más tarde.',
  'error.user_already_exists': 'Ya existe una cuenta con ese correo: entra con ella.',
} as const

export type OnboardingKey = keyof typeof onboardingEs
