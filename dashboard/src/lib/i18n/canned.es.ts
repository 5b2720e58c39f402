// Canned replies screen (issue 18, item 3), spread into es.ts. canned.en.ts has exactly these keys.
export const cannedEs = {
  'nav.replies': 'Respuestas',
  'canned.title': 'Respuestas rápidas',
  'canned.intro':
    'Escribe / en el chat para insertarlas. Las variables se llenan al insertar: {vars}. Una variable desconocida, o sin dato (un cliente sin nombre), queda visible para que la corrijas antes de enviar.',
  'canned.shared': 'Compartidas con el equipo',
  'canned.sharedReadOnly': 'Solo un admin las cambia.',
  'canned.mine': 'Mis respuestas',
  'canned.add': 'Agregar',
  'canned.shortcut': 'Atajo',
  'canned.body': 'Texto',
  'canned.save': 'Guardar',
  'canned.delete': 'Eliminar',
  'canned.confirmDelete': '¿Eliminar la respuesta /{shortcut}?',
  'canned.empty': 'Ninguna todavía.',
  'canned.saved': 'Guardada',
  'error.shortcut_taken': 'Ese atajo ya existe aquí: elige otro.',
} as const

export type CannedKey = keyof typeof cannedEs
