import type { OnboardingKey } from './onboarding.es.ts'

export const onboardingEn: Record<OnboardingKey, string> = {
  'signup.title': 'Create your account',
  'signup.submit': 'Create account',
  'signup.haveInvitation': 'Have an invitation?',
  'signup.create': 'Sign up your business',
  'signup.inviteOnly':
    'This deployment is invitation-only: ask an admin of your store for an invitation link.',
  'signup.confirmEmail': 'We sent a link to {email}. Confirm it, then sign in with your email and password.',
  'welcome.title': 'Create your business',
  'welcome.lead': 'You are signed in as {email}. Your business is missing: you will be its admin.',
  'welcome.name': 'Business name',
  'welcome.language': 'Language of the AI and the team',
  'welcome.timezone': 'Time zone',
  'welcome.submit': 'Create business',
  'error.invalid_business_name': 'The business name needs 1 to 200 characters.',
  'error.invalid_language': 'Choose Spanish or English.',
  'error.invalid_timezone': 'That time zone does not exist.',
  'error.signup_closed': 'This deployment only accepts invitations.',
  'error.rate_limited': 'Too many attempts: try again later.',
  'error.user_already_exists': 'An account with that email exists: sign in with it.',
}
