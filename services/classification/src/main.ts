import 'reflect-metadata';
import { runServiceCli } from '@kkb/bootstrap';
import { classificationService } from './service';

void runServiceCli(classificationService);
