// Texts of Admin → Data: exports and erasing a customer's data (ADR 112).
export const dataRequestsEs = {
  'nav.data': 'Datos',
  'data.title': 'Solicitudes de datos',
  'data.exportTitle': 'Exportar conversaciones',
  'data.exportHelp':
    'Todos los mensajes del periodo, con transcripciones y enlaces a los archivos (válidos 7 días). Las notas internas van marcadas.',
  'data.from': 'Desde',
  'data.to': 'Hasta (incluido)',
  'data.format': 'Formato',
  'data.export': 'Exportar',
  'data.exported': '{count} mensajes exportados.',
  'data.eraseTitle': 'Borrar los datos de un cliente',
  'data.eraseHelp':
    'Borra todas sus conversaciones (mismo teléfono) con mensajes, archivos y ejecuciones de la IA. No se puede deshacer; el registro guarda solo cuántos datos se borraron.',
  'data.search': 'Teléfono o nombre del cliente',
  'data.find': 'Buscar',
  'data.noCustomers': 'Ningún cliente coincide.',
  'data.erase': 'Borrar',
  'data.confirm': 'Escribe el teléfono {phone} para confirmar',
  'data.confirmErase': 'Borrar definitivamente',
  'data.erased': 'Borrado: {conversations} conversaciones, {messages} mensajes, {files} archivos.',
}
