'use strict'

// Plain text of an HTML fragment, for places that cannot hold markup such as <title>.
module.exports = (html) => (html == null ? '' : String(html).replace(/<[^>]*>/g, ''))
