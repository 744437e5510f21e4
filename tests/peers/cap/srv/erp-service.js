// Handlers of the bound action and the unbound function of ErpService.
const cds = require('@sap/cds')

module.exports = class ErpService extends cds.ApplicationService {
  init() {
    const { SalesOrders } = this.entities

    this.on('confirm', SalesOrders, async (req) => {
      const [{ company, orderNumber }] = req.params
      const order = await SELECT.one.from(SalesOrders).where({ company, orderNumber })
      if (!order) return req.error(404, `Sales order ${company}/${orderNumber} does not exist`)
      if (order.status !== 'Open') {
        return req.error({
          status: 409,
          code: 'ORDER_NOT_OPEN',
          message: `Sales order ${orderNumber} is ${order.status}, not Open`,
          target: 'status',
        })
      }
      const changes = { status: 'Confirmed' }
      if (req.data.note != null) changes.note = req.data.note
      await UPDATE(SalesOrders).set(changes).where({ company, orderNumber })
      return SELECT.one.from(SalesOrders).where({ company, orderNumber })
    })

    this.on('customerBalance', async (req) => {
      const { company, customer } = req.data
      const row = await SELECT.one
        .from(SalesOrders)
        .columns('sum(totalAmount) as total')
        .where({ company, customerID: customer })
      return row?.total ?? 0
    })

    return super.init()
  }
}
