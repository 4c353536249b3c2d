'use strict'

// {{#if (eq a b)}}: strict equality, used to mark the current page in the navigation.
module.exports = (a, b) => a === b
