import { describe, expect, it } from 'vitest'
import { fillVariables } from './canned-variables.ts'

const context = {
  customer: { name: 'Lucía Pérez', phone: '5215511111111' },
  agent: { name: 'Ana' },
}

describe('fillVariables', () => {
  it('fills the customer and agent variables, with or without spaces inside the braces', () => {
    expect(
      fillVariables(
        'Hola {{customer.name}}, soy {{ agent.name }}. ¿Te llamo al {{customer.phone}}?',
        context,
      ),
    ).toBe('Hola Lucía Pérez, soy Ana. ¿Te llamo al 5215511111111?')
    expect(fillVariables('{{Customer.Name}} · {{customer.name}}', context)).toBe('Lucía Pérez · Lucía Pérez')
  })

  it('leaves unknown variables and ones without a value visible', () => {
    expect(fillVariables('Pedido {{order.number}} de {{customer.name}}', context)).toBe(
      'Pedido {{order.number}} de Lucía Pérez',
    )
    expect(
      fillVariables('Hola {{customer.name}}', { ...context, customer: { name: null, phone: null } }),
    ).toBe('Hola {{customer.name}}')
    expect(
      fillVariables('Hola {{customer.name}}', { ...context, customer: { name: '  ', phone: null } }),
    ).toBe('Hola {{customer.name}}')
  })

  it('leaves a body without variables, and half-open braces, as they are', () => {
    expect(fillVariables('Gracias por tu compra', context)).toBe('Gracias por tu compra')
    expect(fillVariables('{{customer.name} y {agent.name}}', context)).toBe(
      '{{customer.name} y {agent.name}}',
    )
  })
})
