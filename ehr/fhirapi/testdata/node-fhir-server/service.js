// The probe never asks for a resource: every search is empty, every read finds nothing.
module.exports.search = async () => [];
module.exports.searchById = async () => null;
