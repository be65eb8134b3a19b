export { ControlPlaneClient, ControlPlaneError, type ControlPlaneClientOptions } from './client';
