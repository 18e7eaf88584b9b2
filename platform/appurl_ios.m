// URL-scheme glue for appurl_ios.go. Fyne's app delegate (GoAppAppDelegate)
// does not implement application:openURL:options:, so it is added to its
// class when this image loads, before UIApplicationMain runs (as
// push_ios.m adds the APNs callbacks): iOS then calls it both for a URL
// that launches the app and for one that brings it back.

#import <UIKit/UIKit.h>
#import <objc/runtime.h>

extern void chorusAppURLOpened(char *url);

static BOOL openURL(id self, SEL _cmd, UIApplication *app, NSURL *url, NSDictionary<UIApplicationOpenURLOptionsKey, id> *options) {
	if (![url.scheme.lowercaseString isEqualToString:@"chorus"]) {
		return NO;
	}
	chorusAppURLOpened((char *)url.absoluteString.UTF8String);
	return YES;
}

// chorus_app_url_registered answers whether the bundle's Info.plist lists
// the chorus scheme under CFBundleURLTypes.
int chorus_app_url_registered(void) {
	NSArray *types = [NSBundle.mainBundle objectForInfoDictionaryKey:@"CFBundleURLTypes"];
	if (![types isKindOfClass:[NSArray class]]) {
		return 0;
	}
	for (id t in types) {
		if (![t isKindOfClass:[NSDictionary class]]) {
			continue;
		}
		NSArray *schemes = ((NSDictionary *)t)[@"CFBundleURLSchemes"];
		if (![schemes isKindOfClass:[NSArray class]]) {
			continue;
		}
		for (id s in schemes) {
			if ([s isKindOfClass:[NSString class]] && [[(NSString *)s lowercaseString] isEqualToString:@"chorus"]) {
				return 1;
			}
		}
	}
	return 0;
}

@interface ChorusAppURLHooks : NSObject
@end

@implementation ChorusAppURLHooks
+ (void)load {
	Class cls = objc_getClass("GoAppAppDelegate");
	if (cls == Nil) {
		return;
	}
	SEL sel = @selector(application:openURL:options:);
	struct objc_method_description d = protocol_getMethodDescription(@protocol(UIApplicationDelegate), sel, NO, YES);
	if (d.types == NULL) {
		return;
	}
	// class_addMethod keeps an implementation Fyne may add one day.
	class_addMethod(cls, sel, (IMP)openURL, d.types);
}
@end
